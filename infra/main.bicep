// The function app on a Linux Flex Consumption plan (.NET 10 isolated worker), with its storage account.
// Storage is reached with the app's managed identity: no connection string, no shared key.

@description('Name of the function app; also the base of the other resource names.')
@minLength(3)
@maxLength(40)
param appName string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Your Auth0 tenant\'s domain, e.g. your-tenant.us.auth0.com (setting Auth0__Domain).')
param auth0Domain string

@description('Your API\'s identifier in Auth0: the audience tokens must carry (setting Auth0__ApiAudience).')
param auth0ApiAudience string

@description('The exact issuer tokens must carry; empty means https://{auth0Domain}/ (setting Auth0__Issuer).')
param auth0Issuer string = ''

@description('Comma-separated signing algorithms to accept (setting Auth0__Algorithms).')
param auth0Algorithms string = 'RS256'

@description('How rejections are answered (setting Auth0__ErrorContract).')
@allowed([
  'Sample'
  'Rfc6750'
])
param auth0ErrorContract string = 'Sample'

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

var suffix = uniqueString(resourceGroup().id, appName)
var storageAccountName = 'st${take(toLower(replace(appName, '-', '')), 9)}${take(suffix, 13)}'
var deploymentContainerName = 'app-package-${take(suffix, 13)}'
// Built-in role: Storage Blob Data Owner.
var storageBlobDataOwner = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
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

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${appName}'
  location: location
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
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
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
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
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
  name: guid(storage.id, functionApp.id, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: storageBlobDataOwner
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output functionAppName string = functionApp.name
output apiBaseUrl string = 'https://${functionApp.properties.defaultHostName}/api'
