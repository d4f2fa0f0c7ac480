// The function app on a Linux Flex Consumption plan (.NET 10 isolated worker), with its storage account and its
// monitoring (Log Analytics and Application Insights). Storage and telemetry ingestion are reached with the app's
// managed identity: no connection string with a key, no shared key, no instrumentation-key ingestion. So is the
// optional shared DPoP replay store (modules/replay-store.bicep), deployed only with auth0DPoPReplayStore = 'Redis'.
//
// The identity is user-assigned rather than the site's system-assigned one: its role assignments can then be made
// before the site exists, so they are in place when the app first reaches storage (host state, the deployment
// package) and ingestion, rather than racing the site's creation; and they outlive deleting and recreating the site.

@description('Name of the azd environment this deployment belongs to (tag azd-env-name); empty when deployed without azd.')
param environmentName string = ''

@description('Name of the function app (its host name is {appName}.azurewebsites.net, so it must be globally unique); also the base of the other resource names.')
@minLength(3)
@maxLength(40)
param appName string = 'fn-auth0-${uniqueString(resourceGroup().id, environmentName)}'

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Your Auth0 tenant\'s domain, e.g. your-tenant.us.auth0.com; several, comma-separated, for custom domains (setting Auth0__Domain).')
param auth0Domain string

@description('Your API\'s identifier in Auth0: the audience tokens must carry; several, comma-separated, if any may do (setting Auth0__ApiAudience).')
param auth0ApiAudience string

@description('The exact issuer tokens must carry; empty means https://{domain}/ for each domain; otherwise one per domain, comma-separated, in order (setting Auth0__Issuer).')
param auth0Issuer string = ''

@description('Comma-separated signing algorithms to accept (setting Auth0__Algorithms).')
param auth0Algorithms string = 'RS256'

@description('How rejections are answered (setting Auth0__ErrorContract).')
@allowed([
  'Sample'
  'Rfc6750'
])
param auth0ErrorContract string = 'Sample'

@description('Whether DPoP-bound tokens are accepted (setting Auth0__DPoPMode).')
@allowed([
  'Disabled'
  'Allowed'
  'Required'
])
param auth0DPoPMode string = 'Allowed'

@description('The secret every instance shares to make and check DPoP server nonces, at least 32 characters; empty turns nonces off (setting Auth0__DPoPNonceSecret).')
@secure()
param auth0DPoPNonceSecret string = ''

@description('The URL clients call the API at, when a gateway in front of the app changes it; empty uses the URL the app is called at (setting Auth0__DPoPPublicBaseUrl).')
param auth0DPoPPublicBaseUrl string = ''

@description('Where accepted DPoP proofs are remembered (setting Auth0__DPoPReplayStore): Memory, each instance its own, or Redis, one store every instance shares, which deploys an Azure Managed Redis (Balanced_B0, billed per hour) the app reaches with its identity.')
@allowed([
  'Memory'
  'Redis'
])
param auth0DPoPReplayStore string = 'Memory'

@description('Origins allowed to call the API from a browser, e.g. https://app.example.com; empty allows none.')
param corsAllowedOrigins array = []

@description('Most instances the plan may scale out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Instances of the http group kept warm at all times, against cold starts; billed while idle. 0 for none.')
@minValue(0)
@maxValue(1000)
param httpAlwaysReadyInstanceCount int = 0

@description('Days the Log Analytics workspace keeps the app\'s logs and telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

var suffix = uniqueString(resourceGroup().id, appName)
var storageAccountName = 'st${take(toLower(replace(appName, '-', '')), 9)}${take(suffix, 13)}'
var deploymentContainerName = 'app-package-${take(suffix, 13)}'
// Under azd, every resource carries the environment's name, as azd's own templates do.
var tags = empty(environmentName) ? {} : { 'azd-env-name': environmentName }
var sharedReplayStore = auth0DPoPReplayStore == 'Redis'
// Built-in role: Storage Blob Data Owner.
var storageBlobDataOwner = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
// Built-in role: Monitoring Metrics Publisher, the one Entra-authenticated ingestion into Application Insights needs.
var monitoringMetricsPublisher = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${appName}'
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${appName}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${appName}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Telemetry is accepted only with an Entra token (the app's identity), never with the connection string alone.
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
}

module replayStore 'modules/replay-store.bicep' = if (sharedReplayStore) {
  name: 'replay-store'
  params: {
    name: 'redis-${appName}'
    location: location
    tags: tags
    principalId: appIdentity.properties.principalId
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${appName}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  // azd deploys service `api` of azure.yaml to the one site in the resource group with this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${appIdentity.id}': {}
    }
  }
  // After the identity's role assignments: the app never starts before its grants exist.
  dependsOn: [
    appOwnsBlobs
    appPublishesTelemetry
  ]
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: corsAllowedOrigins
      }
      appSettings: [
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storage.name
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: appIdentity.properties.clientId
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          // Local authentication is off on the component: ingestion takes an Entra token for this identity.
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD;ClientId=${appIdentity.properties.clientId}'
        }
        {
          name: 'Auth0__Domain'
          value: auth0Domain
        }
        {
          name: 'Auth0__ApiAudience'
          value: auth0ApiAudience
        }
        {
          name: 'Auth0__Issuer'
          value: auth0Issuer
        }
        {
          name: 'Auth0__Algorithms'
          value: auth0Algorithms
        }
        {
          name: 'Auth0__ErrorContract'
          value: auth0ErrorContract
        }
        {
          name: 'Auth0__DPoPMode'
          value: auth0DPoPMode
        }
        {
          name: 'Auth0__DPoPNonceSecret'
          value: auth0DPoPNonceSecret
        }
        {
          name: 'Auth0__DPoPPublicBaseUrl'
          value: auth0DPoPPublicBaseUrl
        }
        {
          name: 'Auth0__DPoPReplayStore'
          value: auth0DPoPReplayStore
        }
        {
          // Host and port with TLS on; no user, no password: the identity below signs in with an Entra token.
          name: 'Auth0__DPoPReplayRedis'
          value: sharedReplayStore ? replayStore!.outputs.configuration : ''
        }
        {
          name: 'Auth0__DPoPReplayRedisIdentity'
          value: sharedReplayStore ? 'ManagedIdentity' : 'None'
        }
        {
          name: 'Auth0__DPoPReplayRedisIdentityClientId'
          value: sharedReplayStore ? appIdentity.properties.clientId : ''
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: appIdentity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: httpAlwaysReadyInstanceCount == 0 ? [] : [
          {
            name: 'http'
            instanceCount: httpAlwaysReadyInstanceCount
          }
        ]
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

// The app reads and writes its deployment package and host state in the account with its own identity.
resource appOwnsBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: storageBlobDataOwner
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The app sends its telemetry to this component only, with its own identity.
resource appPublishesTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appIdentity.id, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: monitoringMetricsPublisher
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output functionAppName string = functionApp.name
output apiBaseUrl string = 'https://${functionApp.properties.defaultHostName}/api'
