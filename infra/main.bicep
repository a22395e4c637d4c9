// ConnectIssuer on Azure Functions Flex Consumption. This file only orchestrates: names, tags,
// module calls and outputs. Deploy into an existing resource group:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam
// or let azd do it (azure.yaml). See docs/deploy.md.
targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

@description('Name of the environment (azd environment name), used in resource names and the azd-env-name tag.')
@minLength(1)
@maxLength(24)
param environmentName string

@description('Azure region for all resources; it must offer Flex Consumption.')
param location string = resourceGroup().location

@description('Extra tags for every resource.')
param tags object = {}

@description('Object id of the deploying user or pipeline principal (azd sets AZURE_PRINCIPAL_ID). Empty grants it nothing.')
param deployerPrincipalId string = ''

@description('Type of the deploying principal.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string = 'User'

@description('Give the deploying principal Key Vault Secrets Officer on the vault so it can set the vendor secrets.')
param grantDeployerSecretsOfficer bool = true

// ---------------------------------------------------------------------------------------------
// Key Vault
// ---------------------------------------------------------------------------------------------

@description('Turn on Key Vault purge protection (recommended for production; irreversible, and the vault name stays reserved for the retention period after deletion).')
param keyVaultEnablePurgeProtection bool = true

@description('Days a deleted vault or secret stays recoverable (7-90).')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

// ---------------------------------------------------------------------------------------------
// Scale
// ---------------------------------------------------------------------------------------------

@description('Memory per instance in MB: 512, 2048 (recommended) or 4096.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to (Flex allows 40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Always-ready instances for the http scale group (0 scales to zero; each one is billed while idle).')
@minValue(0)
@maxValue(1000)
param alwaysReadyHttpInstances int = 0

// ---------------------------------------------------------------------------------------------
// Application settings (docs/configuration.md); empty means the app's default
// ---------------------------------------------------------------------------------------------

@description('SPA origins allowed to call the API (platform CORS and AllowedOrigins), e.g. https://app.example.com.')
param allowedOrigins array = []

@description('Auth:Mode: Oidc (the app validates bearer JWTs) or EasyAuth (App Service Authentication with Entra ID in front of the app).')
@allowed([
  'Oidc'
  'EasyAuth'
])
param authMode string = 'Oidc'

@description('Auth:Authority, the issuer URL of the SPA\'s identity provider (in EasyAuth mode the Entra ID OpenID issuer; empty then means this tenant).')
param authAuthority string = ''

@description('Auth:MetadataAddress, overrides the OpenID Connect metadata URL.')
param authMetadataAddress string = ''

@description('Auth:Audiences, accepted aud values (required in Oidc mode).')
param authAudiences array = []

@description('Auth:ValidTypes, accepted JWT typ values (e.g. at+jwt). Empty: any.')
param authValidTypes array = []

@description('Auth:RequiredScopes, scopes every caller token must carry (e.g. access_as_user). Empty: none.')
param authRequiredScopes array = []

@description('Auth:AllowedClientIds, accepted azp/appid values (e.g. the SPA client id). Empty: any.')
param authAllowedClientIds array = []

@description('Auth:Issuers, accepted iss values.')
param authIssuers array = []

@description('Auth:RequireHttpsMetadata.')
param authRequireHttpsMetadata bool = true

@description('Auth:CustomerIdClaim (app default sub).')
param authCustomerIdClaim string = ''

@description('Auth:CustomerNameClaim (app default name).')
param authCustomerNameClaim string = ''

@description('Auth:AdminRoleClaim (app default roles).')
param authAdminRoleClaim string = ''

@description('Auth:AdminRole (app default connect-admin).')
param authAdminRole string = ''

@description('Auth:ClockSkew as hh:mm:ss (app default 00:01:00).')
param authClockSkew string = ''

@description('Auth:AdminMaxAuthAge as hh:mm:ss (app default: not set, no recent-sign-in rule for admin tokens).')
param authAdminMaxAuthAge string = ''

@description('Auth:DisconnectRole: when set, only callers with this role (in Auth:AdminRoleClaim) may delete connections (app default: not set).')
param authDisconnectRole string = ''

@description('EasyAuth mode only: client id of the API\'s Entra ID app registration.')
param easyAuthClientId string = ''

@description('KeyVault:CacheTtl as hh:mm:ss, at least 00:00:10 (app default 00:05:00).')
param keyVaultCacheTtl string = ''

@description('KeyVault:MaxStale as hh:mm:ss (app default 01:00:00).')
param keyVaultMaxStale string = ''

@description('Vendors:Timeout as hh:mm:ss (app default 00:00:10).')
param vendorsTimeout string = ''

@description('IntegrationApp:WorkspaceKey. Empty leaves Integration.app unconfigured.')
param integrationAppWorkspaceKey string = ''

@description('IntegrationApp:Algorithm (app default HS512).')
@allowed([
  ''
  'HS256'
  'HS384'
  'HS512'
  'RS256'
  'RS384'
  'RS512'
  'PS256'
  'ES256'
  'ES384'
])
param integrationAppAlgorithm string = ''

@description('IntegrationApp:TokenLifetime as hh:mm:ss, at most 24:00:00 (app default 01:00:00).')
param integrationAppTokenLifetime string = ''

@description('IntegrationApp:AdminTokenLifetime as hh:mm:ss, at most 01:00:00 (app default 00:15:00).')
param integrationAppAdminTokenLifetime string = ''

@description('IntegrationApp:Fields, map of token field name to caller claim name.')
param integrationAppFields object = {}

@description('IntegrationApp:ApiBaseUrl, the Membrane REST API for listing and deleting connections (app default https://api.integration.app).')
param integrationAppApiBaseUrl string = ''

@description('Alloy:BaseUrl (app default).')
param alloyBaseUrl string = ''

@description('Alloy:ApiVersion, written as given once Alloy is enabled (empty: no x-api-version header).')
param alloyApiVersion string = '2025-09'

@description('Alloy:UsernamePrefix; empty leaves Alloy unconfigured.')
param alloyUsernamePrefix string = ''

@description('Fivetran:BaseUrl (app default).')
param fivetranBaseUrl string = ''

@description('Fivetran:GroupId.')
param fivetranGroupId string = ''

@description('Fivetran:AllowedServices.')
param fivetranAllowedServices array = []

@description('Fivetran:SchemaPrefix (app default ci_).')
param fivetranSchemaPrefix string = ''

@description('Fivetran:DefaultRedirectUri.')
param fivetranDefaultRedirectUri string = ''

@description('Fivetran:HideSetupGuide.')
param fivetranHideSetupGuide bool = false

@description('Polytomic:BaseUrl (app default).')
param polytomicBaseUrl string = ''

@description('Polytomic:ApiVersion (app default).')
param polytomicApiVersion string = ''

@description('Polytomic:AllowedTypes.')
param polytomicAllowedTypes array = []

@description('Polytomic:DefaultRedirectUrl.')
param polytomicDefaultRedirectUrl string = ''

@description('Polytomic:NamePrefix (app default ci.).')
param polytomicNamePrefix string = ''

@description('RateLimit:PermitsPerMinute.')
@minValue(1)
param rateLimitPermitsPerMinute int = 30

@description('Connections:CacheTtl as hh:mm:ss, per-customer cache of GET /api/connections; 00:00:00 disables (app default 00:00:30).')
param connectionsCacheTtl string = ''

// ---------------------------------------------------------------------------------------------
// Names and tags
// ---------------------------------------------------------------------------------------------

var environmentSlug = toLower(environmentName)
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var allTags = union(tags, { 'azd-env-name': environmentName })

var identityName = 'id-${environmentSlug}-${resourceToken}'
var logAnalyticsName = 'log-${environmentSlug}-${resourceToken}'
var applicationInsightsName = 'appi-${environmentSlug}-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'
var planName = 'plan-${environmentSlug}-${resourceToken}'
var functionAppName = 'func-${environmentSlug}-${resourceToken}'
// Container names are limited to 63 characters.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

// ---------------------------------------------------------------------------------------------
// Modules
// ---------------------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: allTags
    deploymentContainerName: deploymentContainerName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: keyVaultName
    location: location
    tags: allTags
    enablePurgeProtection: keyVaultEnablePurgeProtection
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    appPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    deployerPrincipalId: deployerPrincipalId
    deployerPrincipalType: deployerPrincipalType
    grantDeployerSecretsOfficer: grantDeployerSecretsOfficer
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: functionAppName
    planName: planName
    location: location
    tags: allTags
    azdServiceName: 'api'
    identityName: identity.outputs.name
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    allowedOrigins: allowedOrigins
    authMode: authMode
    authAuthority: authAuthority
    authMetadataAddress: authMetadataAddress
    authAudiences: authAudiences
    authValidTypes: authValidTypes
    authRequiredScopes: authRequiredScopes
    authAllowedClientIds: authAllowedClientIds
    authIssuers: authIssuers
    authRequireHttpsMetadata: authRequireHttpsMetadata
    authCustomerIdClaim: authCustomerIdClaim
    authCustomerNameClaim: authCustomerNameClaim
    authAdminRoleClaim: authAdminRoleClaim
    authAdminRole: authAdminRole
    authClockSkew: authClockSkew
    authAdminMaxAuthAge: authAdminMaxAuthAge
    authDisconnectRole: authDisconnectRole
    easyAuthClientId: easyAuthClientId
    keyVaultCacheTtl: keyVaultCacheTtl
    keyVaultMaxStale: keyVaultMaxStale
    vendorsTimeout: vendorsTimeout
    integrationAppWorkspaceKey: integrationAppWorkspaceKey
    integrationAppAlgorithm: integrationAppAlgorithm
    integrationAppTokenLifetime: integrationAppTokenLifetime
    integrationAppAdminTokenLifetime: integrationAppAdminTokenLifetime
    integrationAppFields: integrationAppFields
    integrationAppApiBaseUrl: integrationAppApiBaseUrl
    alloyBaseUrl: alloyBaseUrl
    alloyApiVersion: alloyApiVersion
    alloyUsernamePrefix: alloyUsernamePrefix
    fivetranBaseUrl: fivetranBaseUrl
    fivetranGroupId: fivetranGroupId
    fivetranAllowedServices: fivetranAllowedServices
    fivetranSchemaPrefix: fivetranSchemaPrefix
    fivetranDefaultRedirectUri: fivetranDefaultRedirectUri
    fivetranHideSetupGuide: fivetranHideSetupGuide
    polytomicBaseUrl: polytomicBaseUrl
    polytomicApiVersion: polytomicApiVersion
    polytomicAllowedTypes: polytomicAllowedTypes
    polytomicDefaultRedirectUrl: polytomicDefaultRedirectUrl
    polytomicNamePrefix: polytomicNamePrefix
    rateLimitPermitsPerMinute: rateLimitPermitsPerMinute
    connectionsCacheTtl: connectionsCacheTtl
  }
  // The identity's roles exist before the site's first start (storage and Key Vault reads).
  dependsOn: [
    roles
  ]
}

// ---------------------------------------------------------------------------------------------
// Outputs (azd stores them as environment values); no secret values here
// ---------------------------------------------------------------------------------------------

@description('Name of the function app (for func azure functionapp publish).')
output FUNCTION_APP_NAME string = functionApp.outputs.name

@description('HTTPS URL of the function app.')
output FUNCTION_APP_URL string = functionApp.outputs.url

@description('Name of the Key Vault (for az keyvault secret set).')
output KEY_VAULT_NAME string = keyVault.outputs.name

@description('Client id of the app\'s user-assigned managed identity.')
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
