// For `az deployment group create` (docs/deployment.md): copy to a file of your own, e.g. deploy.bicepparam, and fill in your
// tenant and API. Not main.bicepparam: azd would take that file instead of main.parameters.json.
using 'main.bicep'

param appName = 'fn-auth0-api-demo'
param auth0Domain = 'your-tenant.us.auth0.com'
param auth0ApiAudience = 'https://your-api-identifier'
// 'Redis' when more than one instance serves DPoP requests: one Azure Managed Redis shared by all, billed per hour.
param auth0DPoPReplayStore = 'Memory'
param corsAllowedOrigins = [
  'https://app.example.com'
]
