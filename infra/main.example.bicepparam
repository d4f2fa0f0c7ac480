// Copy to main.bicepparam (or pass values with --parameters) and fill in your tenant and API.
using 'main.bicep'

param appName = 'fn-auth0-api-demo'
param auth0Domain = 'your-tenant.us.auth0.com'
param auth0ApiAudience = 'https://your-api-identifier'
param corsAllowedOrigins = [
  'https://app.example.com'
]
