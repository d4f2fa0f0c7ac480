// The shared DPoP replay store: an Azure Managed Redis the function app reaches with its managed identity only.
// Access keys are off, so the only way in is a Microsoft Entra token of an identity given an access policy here;
// clients speak TLS only. No persistence: a proof is worth remembering only while it could be accepted (minutes),
// and the replica that high availability adds already keeps the keys through the loss of a node.

@description('Name of the cache; its host name is {name}.{region}.redis.azure.net.')
param name string

@description('Azure region of the cache.')
param location string

@description('Tags of every resource.')
param tags object

@description('Object (principal) ID of the identity that may read and write the cache: the function app\'s.')
param principalId string

// The smallest size there is. A proof takes about 150 bytes until it is too old to be accepted: scale up when the
// cache's used memory nears its size, before a full store refuses proofs.
var sku = 'Balanced_B0'

resource cluster 'Microsoft.Cache/redisEnterprise@2025-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    minimumTlsVersion: '1.2'
    // Two nodes, billed as such: while the store is down, every DPoP request is answered 503.
    highAvailability: 'Enabled'
    // A Flex Consumption app without a virtual network reaches the cache over the internet; Entra ID and TLS guard it.
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.Cache/redisEnterprise/databases@2025-07-01' = {
  parent: cluster
  name: 'default'
  properties: {
    clientProtocol: 'Encrypted'
    port: 10000
    // One endpoint, sharded behind a proxy: the client needs no cluster topology.
    clusteringPolicy: 'EnterpriseCluster'
    // A full store must refuse new proofs (503), never forget ones that could still be replayed.
    evictionPolicy: 'NoEviction'
    accessKeysAuthentication: 'Disabled'
  }
}

// Redis's user for the identity is its object ID; 'default' is the built-in policy for reading and writing data.
resource appAccess 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments@2025-07-01' = {
  parent: database
  name: 'functionapp'
  properties: {
    accessPolicyName: 'default'
    user: {
      objectId: principalId
    }
  }
}

@description('The StackExchange.Redis configuration string of the cache (setting Auth0__DPoPReplayRedis): host and port, with TLS; the app signs in with its identity.')
output configuration string = '${cluster.properties.hostName}:${database.properties.port},ssl=True'
