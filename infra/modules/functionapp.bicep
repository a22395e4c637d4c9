// The Flex Consumption plan and the function app (.NET 10 isolated worker), with every
// non-secret setting (docs/configuration.md) as an app setting.
// Secrets are not app settings: the app reads them from Key Vault at run time (KeyVault__Uri).

// ---------------------------------------------------------------------------------------------
// Resources this app uses
// ---------------------------------------------------------------------------------------------

@description('Name of the function app (also the start of its default host name).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region (must offer Flex Consumption).')
param location string

@description('Tags for the plan and the site.')
param tags object = {}

@description('Name azd knows the service by (azure.yaml); set as the site\'s azd-service-name tag.')
param azdServiceName string = 'api'

@description('Name of the user-assigned managed identity the app runs as.')
param identityName string

@description('Name of the storage account for the host and the deployment package.')
param storageAccountName string

@description('Name of the blob container that holds the deployment package.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Name of the Key Vault holding the vendor secrets.')
param keyVaultName string

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
// Browser origins (platform CORS and AllowedOrigins__N come from the same list)
// ---------------------------------------------------------------------------------------------

@description('SPA origins allowed to call the API, e.g. https://app.example.com (no trailing slash).')
param allowedOrigins array = []

// ---------------------------------------------------------------------------------------------
// Caller authentication (Auth)
// ---------------------------------------------------------------------------------------------

@description('Auth:Mode. Oidc: the app validates bearer JWTs. EasyAuth: App Service Authentication (Entra ID) validates them and the app trusts its principal header.')
@allowed([
  'Oidc'
  'EasyAuth'
])
param authMode string = 'Oidc'

@description('Auth:Authority, the issuer URL of the SPA\'s identity provider. In EasyAuth mode it is also the Entra ID OpenID issuer; empty then means this tenant\'s v2.0 issuer.')
param authAuthority string = ''

@description('Auth:MetadataAddress, overrides the OpenID Connect metadata URL. Empty: derived from the authority.')
param authMetadataAddress string = ''

@description('Auth:Audiences, accepted aud values (required in Oidc mode). In EasyAuth mode also the allowed audiences.')
param authAudiences array = []

@description('Auth:ValidTypes, accepted JWT typ header values (e.g. at+jwt; Entra ID access tokens say JWT). Empty: any.')
param authValidTypes array = []

@description('Auth:RequiredScopes, scopes every caller token must carry in scp or scope (e.g. access_as_user). Empty: none.')
param authRequiredScopes array = []

@description('Auth:AllowedClientIds, client ids (azp, else appid) whose tokens are accepted (e.g. the SPA registration). Empty: any.')
param authAllowedClientIds array = []

@description('Auth:Issuers, accepted iss values. Empty: the issuer from the metadata.')
param authIssuers array = []

@description('Auth:RequireHttpsMetadata.')
param authRequireHttpsMetadata bool = true

@description('Auth:CustomerIdClaim. Empty: the app default (sub).')
param authCustomerIdClaim string = ''

@description('Auth:CustomerNameClaim. Empty: the app default (name).')
param authCustomerNameClaim string = ''

@description('Auth:AdminRoleClaim. Empty: the app default (roles).')
param authAdminRoleClaim string = ''

@description('Auth:AdminRole. Empty: the app default (connect-admin).')
param authAdminRole string = ''

@description('Auth:ClockSkew as hh:mm:ss. Empty: the app default (00:01:00).')
param authClockSkew string = ''

@description('Auth:AdminMaxAuthAge as hh:mm:ss: admin tokens need a caller auth_time at most this old. Empty: no such rule.')
param authAdminMaxAuthAge string = ''

@description('Auth:DisconnectRole: when set, only callers with this role (in Auth:AdminRoleClaim) may delete connections (app default: not set).')
param authDisconnectRole string = ''

@description('EasyAuth mode only: client id of the API\'s Entra ID app registration (created outside Bicep).')
param easyAuthClientId string = ''

// ---------------------------------------------------------------------------------------------
// Secrets and vendors
// ---------------------------------------------------------------------------------------------

@description('KeyVault:CacheTtl as hh:mm:ss, at least 00:00:10. Empty: the app default (00:05:00).')
param keyVaultCacheTtl string = ''

@description('KeyVault:MaxStale as hh:mm:ss: how long past its TTL a cached secret is served while the vault fails. Empty: the app default (01:00:00).')
param keyVaultMaxStale string = ''

@description('Vendors:Timeout as hh:mm:ss. Empty: the app default (00:00:10).')
param vendorsTimeout string = ''

@description('IntegrationApp:WorkspaceKey (iss of minted tokens). Empty leaves Integration.app unconfigured.')
param integrationAppWorkspaceKey string = ''

@description('IntegrationApp:Algorithm. Empty: the app default (HS512).')
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

@description('IntegrationApp:TokenLifetime as hh:mm:ss, at most 24:00:00. Empty: the app default (01:00:00).')
param integrationAppTokenLifetime string = ''

@description('IntegrationApp:AdminTokenLifetime as hh:mm:ss, at most 01:00:00. Empty: the app default (00:15:00).')
param integrationAppAdminTokenLifetime string = ''

@description('IntegrationApp:Fields, a map of token field name to caller claim name, e.g. { "email": "email" }.')
param integrationAppFields object = {}

@description('IntegrationApp:ApiBaseUrl, the Membrane REST API for listing and deleting connections (app default https://api.integration.app).')
param integrationAppApiBaseUrl string = ''

@description('Alloy:BaseUrl. Empty: the app default.')
param alloyBaseUrl string = ''

@description('Alloy:ApiVersion (x-api-version header). Written as given, so an empty value sends no header (for a path-versioned Alloy:BaseUrl).')
param alloyApiVersion string = '2025-09'

@description('Alloy:UsernamePrefix, e.g. \'acme-prod.\' (lower-case letters, digits, - or _, then one dot) so usernames of different deployments never meet. Empty leaves Alloy unconfigured.')
param alloyUsernamePrefix string = ''

@description('Fivetran:BaseUrl. Empty: the app default.')
param fivetranBaseUrl string = ''

@description('Fivetran:GroupId, the destination group for new connections.')
param fivetranGroupId string = ''

@description('Fivetran:AllowedServices, the service ids the SPA may ask for.')
param fivetranAllowedServices array = []

@description('Fivetran:SchemaPrefix. Empty: the app default (ci_).')
param fivetranSchemaPrefix string = ''

@description('Fivetran:DefaultRedirectUri, used when a request gives none.')
param fivetranDefaultRedirectUri string = ''

@description('Fivetran:HideSetupGuide.')
param fivetranHideSetupGuide bool = false

@description('Polytomic:BaseUrl. Empty: the app default.')
param polytomicBaseUrl string = ''

@description('Polytomic:ApiVersion (X-Polytomic-Version header). Empty: the app default.')
param polytomicApiVersion string = ''

@description('Polytomic:AllowedTypes, the connection types the SPA may offer.')
param polytomicAllowedTypes array = []

@description('Polytomic:DefaultRedirectUrl, used when a request gives none.')
param polytomicDefaultRedirectUrl string = ''

@description('Polytomic:NamePrefix, e.g. \'acme-prod.\' (lower-case letters, digits, - or _, then one dot) so deployments sharing an organization never reconnect each other\'s connections. Empty: the app default ci.')
param polytomicNamePrefix string = ''

@description('RateLimit:PermitsPerMinute, per customer and per instance across all authenticated routes.')
@minValue(1)
param rateLimitPermitsPerMinute int = 30

@description('Connections:CacheTtl as hh:mm:ss, per-customer cache of GET /api/connections; 00:00:00 disables (app default 00:00:30).')
param connectionsCacheTtl string = ''

// ---------------------------------------------------------------------------------------------
// Existing resources (created by the other modules)
// ---------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

// ---------------------------------------------------------------------------------------------
// App settings
// ---------------------------------------------------------------------------------------------

// Host storage and telemetry through the managed identity: no connection string, no key.
// Flex-forbidden settings (FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
// WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENT*, ...) are deliberately absent: functionAppConfig holds them.
var platformSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
}

// The contract's settings. An empty value is left out, so the app's own default applies and a
// vendor that is not used stays "not configured" instead of "present but invalid".
var contractSettings = [
  { name: 'Auth__Mode', value: authMode }
  { name: 'Auth__Authority', value: authAuthority }
  { name: 'Auth__MetadataAddress', value: authMetadataAddress }
  { name: 'Auth__RequireHttpsMetadata', value: authRequireHttpsMetadata ? 'true' : 'false' }
  { name: 'Auth__CustomerIdClaim', value: authCustomerIdClaim }
  { name: 'Auth__CustomerNameClaim', value: authCustomerNameClaim }
  { name: 'Auth__AdminRoleClaim', value: authAdminRoleClaim }
  { name: 'Auth__AdminRole', value: authAdminRole }
  { name: 'Auth__ClockSkew', value: authClockSkew }
  { name: 'Auth__AdminMaxAuthAge', value: authAdminMaxAuthAge }
  { name: 'Auth__DisconnectRole', value: authDisconnectRole }
  { name: 'KeyVault__Uri', value: vault.properties.vaultUri }
  { name: 'KeyVault__CacheTtl', value: keyVaultCacheTtl }
  { name: 'KeyVault__MaxStale', value: keyVaultMaxStale }
  { name: 'KeyVault__ManagedIdentityClientId', value: identity.properties.clientId }
  { name: 'Vendors__Timeout', value: vendorsTimeout }
  { name: 'IntegrationApp__WorkspaceKey', value: integrationAppWorkspaceKey }
  { name: 'IntegrationApp__Algorithm', value: integrationAppAlgorithm }
  { name: 'IntegrationApp__TokenLifetime', value: integrationAppTokenLifetime }
  { name: 'IntegrationApp__AdminTokenLifetime', value: integrationAppAdminTokenLifetime }
  { name: 'IntegrationApp__ApiBaseUrl', value: integrationAppApiBaseUrl }
  { name: 'Alloy__BaseUrl', value: alloyBaseUrl }
  { name: 'Fivetran__BaseUrl', value: fivetranBaseUrl }
  { name: 'Fivetran__GroupId', value: fivetranGroupId }
  { name: 'Fivetran__SchemaPrefix', value: fivetranSchemaPrefix }
  { name: 'Fivetran__DefaultRedirectUri', value: fivetranDefaultRedirectUri }
  { name: 'Fivetran__HideSetupGuide', value: fivetranHideSetupGuide ? 'true' : '' }
  { name: 'Polytomic__BaseUrl', value: polytomicBaseUrl }
  { name: 'Polytomic__ApiVersion', value: polytomicApiVersion }
  { name: 'Polytomic__DefaultRedirectUrl', value: polytomicDefaultRedirectUrl }
  { name: 'Polytomic__NamePrefix', value: polytomicNamePrefix }
  { name: 'RateLimit__PermitsPerMinute', value: string(rateLimitPermitsPerMinute) }
  { name: 'Connections__CacheTtl', value: connectionsCacheTtl }
]

// Arrays become Key__0, Key__1, ...; the IntegrationApp:Fields map becomes one setting per field.
var allowedOriginSettings = [for (origin, i) in allowedOrigins: { name: 'AllowedOrigins__${i}', value: origin }]
var audienceSettings = [for (audience, i) in authAudiences: { name: 'Auth__Audiences__${i}', value: audience }]
var issuerSettings = [for (issuer, i) in authIssuers: { name: 'Auth__Issuers__${i}', value: issuer }]
var validTypeSettings = [for (validType, i) in authValidTypes: { name: 'Auth__ValidTypes__${i}', value: validType }]
var requiredScopeSettings = [for (scope, i) in authRequiredScopes: { name: 'Auth__RequiredScopes__${i}', value: scope }]
var allowedClientIdSettings = [for (clientId, i) in authAllowedClientIds: { name: 'Auth__AllowedClientIds__${i}', value: clientId }]
var fieldSettings = [for field in items(integrationAppFields): { name: 'IntegrationApp__Fields__${field.key}', value: field.value }]
var fivetranServiceSettings = [for (service, i) in fivetranAllowedServices: { name: 'Fivetran__AllowedServices__${i}', value: service }]
var polytomicTypeSettings = [for (connectionType, i) in polytomicAllowedTypes: { name: 'Polytomic__AllowedTypes__${i}', value: connectionType }]

// Alloy's settings are written as given once Alloy is enabled by its prefix: an empty ApiVersion is
// meaningful there (no x-api-version header), so it must not be dropped like other empty values.
var alloySettings = empty(alloyUsernamePrefix) ? {} : {
  Alloy__UsernamePrefix: alloyUsernamePrefix
  Alloy__ApiVersion: alloyApiVersion
}

var allContractSettings = concat(
  contractSettings,
  allowedOriginSettings,
  audienceSettings,
  issuerSettings,
  validTypeSettings,
  requiredScopeSettings,
  allowedClientIdSettings,
  fieldSettings,
  fivetranServiceSettings,
  polytomicTypeSettings
)

var appSettings = union(
  platformSettings,
  toObject(filter(allContractSettings, setting => !empty(setting.value)), setting => setting.name, setting => setting.value),
  alloySettings
)

// ---------------------------------------------------------------------------------------------
// Plan and site
// ---------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: allowedOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyHttpInstances > 0 ? [
          {
            name: 'http'
            instanceCount: alwaysReadyHttpInstances
          }
        ] : []
      }
      // The platform's publish endpoint (/api/publish, used by azd and Core Tools) writes the
      // package into this container with this identity, and instances read it with the same one:
      // it needs write access there, so it cannot be read-only (see roles.bicep, docs/deploy.md).
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
    }
  }
}

// Basic-auth (user name and password) publishing off for FTP and the SCM site. azd and Core Tools
// publish to Flex with the deployer's Entra ID token (/api/publish), which this does not affect.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// Replaces the whole set on every deployment: change settings here (or in the parameters),
// not in the portal, or the next deployment removes them.
resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
}

// App Service Authentication (Entra ID) in front of the app, only in EasyAuth mode.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = if (authMode == 'EasyAuth') {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      // Health is anonymous by contract.
      excludedPaths: [
        '/api/health'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: easyAuthClientId
          openIdIssuer: empty(authAuthority) ? '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0' : authAuthority
        }
        validation: {
          allowedAudiences: empty(authAudiences) ? [
            'api://${easyAuthClientId}'
          ] : authAudiences
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
  dependsOn: [
    settings
  ]
}

@description('Name of the function app.')
output name string = functionApp.name

@description('Default host name of the function app.')
output defaultHostName string = functionApp.properties.defaultHostName

@description('HTTPS URL of the function app.')
output url string = 'https://${functionApp.properties.defaultHostName}'
