// Parameters for infra/main.bicep. No secret values belong here: vendor secrets go into the Key
// Vault after deployment (docs/deploy.md). Every value is read from an environment variable, so
// `azd env set NAME value` (azd) or `export NAME=value` (az CLI) configures a deployment without
// editing this file. Lists are comma-separated; INTEGRATION_APP_FIELDS is a JSON object.
using './main.bicep'

// Set by azd; give them yourself with the az CLI.
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param deployerPrincipalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param deployerPrincipalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')
param grantDeployerSecretsOfficer = bool(readEnvironmentVariable('GRANT_DEPLOYER_SECRETS_OFFICER', 'true'))

// Key Vault: turn purge protection off only for throwaway environments.
param keyVaultEnablePurgeProtection = bool(readEnvironmentVariable('KEY_VAULT_PURGE_PROTECTION', 'true'))
param keyVaultSoftDeleteRetentionInDays = int(readEnvironmentVariable('KEY_VAULT_SOFT_DELETE_DAYS', '90'))

// Scale. The memory size is looked up by name, so the value keeps the template's allowed type
// (512 | 2048 | 4096) and any other value fails the build with the list of allowed ones (int() of
// the variable would be a plain int, which the compiler rejects for an @allowed parameter).
param instanceMemoryMB = {
  '512': 512
  '2048': 2048
  '4096': 4096
}[readEnvironmentVariable('INSTANCE_MEMORY_MB', '2048')]
param maximumInstanceCount = int(readEnvironmentVariable('MAXIMUM_INSTANCE_COUNT', '100'))
param alwaysReadyHttpInstances = int(readEnvironmentVariable('ALWAYS_READY_HTTP_INSTANCES', '0'))

// Browser origins (platform CORS and AllowedOrigins__N).
var allowedOriginList = readEnvironmentVariable('ALLOWED_ORIGINS', '')
param allowedOrigins = empty(allowedOriginList) ? [] : split(allowedOriginList, ',')

// Caller authentication (Auth:*).
param authMode = readEnvironmentVariable('AUTH_MODE', 'Oidc')
param authAuthority = readEnvironmentVariable('AUTH_AUTHORITY', '')
param authMetadataAddress = readEnvironmentVariable('AUTH_METADATA_ADDRESS', '')
var authAudienceList = readEnvironmentVariable('AUTH_AUDIENCES', '')
param authAudiences = empty(authAudienceList) ? [] : split(authAudienceList, ',')
var authValidTypeList = readEnvironmentVariable('AUTH_VALID_TYPES', '')
param authValidTypes = empty(authValidTypeList) ? [] : split(authValidTypeList, ',')
var authRequiredScopeList = readEnvironmentVariable('AUTH_REQUIRED_SCOPES', '')
param authRequiredScopes = empty(authRequiredScopeList) ? [] : split(authRequiredScopeList, ',')
var authAllowedClientIdList = readEnvironmentVariable('AUTH_ALLOWED_CLIENT_IDS', '')
param authAllowedClientIds = empty(authAllowedClientIdList) ? [] : split(authAllowedClientIdList, ',')
var authIssuerList = readEnvironmentVariable('AUTH_ISSUERS', '')
param authIssuers = empty(authIssuerList) ? [] : split(authIssuerList, ',')
param authRequireHttpsMetadata = bool(readEnvironmentVariable('AUTH_REQUIRE_HTTPS_METADATA', 'true'))
param authCustomerIdClaim = readEnvironmentVariable('AUTH_CUSTOMER_ID_CLAIM', '')
param authCustomerNameClaim = readEnvironmentVariable('AUTH_CUSTOMER_NAME_CLAIM', '')
param authAdminRoleClaim = readEnvironmentVariable('AUTH_ADMIN_ROLE_CLAIM', '')
param authAdminRole = readEnvironmentVariable('AUTH_ADMIN_ROLE', '')
param authClockSkew = readEnvironmentVariable('AUTH_CLOCK_SKEW', '')
param authAdminMaxAuthAge = readEnvironmentVariable('AUTH_ADMIN_MAX_AUTH_AGE', '')
param authDisconnectRole = readEnvironmentVariable('AUTH_DISCONNECT_ROLE', '')
param easyAuthClientId = readEnvironmentVariable('EASYAUTH_CLIENT_ID', '')

// Secrets cache and vendor calls.
param keyVaultCacheTtl = readEnvironmentVariable('KEY_VAULT_CACHE_TTL', '')
param keyVaultMaxStale = readEnvironmentVariable('KEY_VAULT_MAX_STALE', '')
param vendorsTimeout = readEnvironmentVariable('VENDORS_TIMEOUT', '')
param rateLimitPermitsPerMinute = int(readEnvironmentVariable('RATE_LIMIT_PERMITS_PER_MINUTE', '30'))
param connectionsCacheTtl = readEnvironmentVariable('CONNECTIONS_CACHE_TTL', '')

// Integration.app (secrets: IntegrationAppWorkspaceSecret or IntegrationAppPrivateKey).
param integrationAppWorkspaceKey = readEnvironmentVariable('INTEGRATION_APP_WORKSPACE_KEY', '')
param integrationAppAlgorithm = readEnvironmentVariable('INTEGRATION_APP_ALGORITHM', '')
param integrationAppTokenLifetime = readEnvironmentVariable('INTEGRATION_APP_TOKEN_LIFETIME', '')
param integrationAppAdminTokenLifetime = readEnvironmentVariable('INTEGRATION_APP_ADMIN_TOKEN_LIFETIME', '')
param integrationAppFields = json(readEnvironmentVariable('INTEGRATION_APP_FIELDS', '{}'))
param integrationAppApiBaseUrl = readEnvironmentVariable('INTEGRATION_APP_API_BASE_URL', '')

// Alloy (secret: AlloyApiKey).
param alloyBaseUrl = readEnvironmentVariable('ALLOY_BASE_URL', '')
param alloyApiVersion = readEnvironmentVariable('ALLOY_API_VERSION', '2025-09')
param alloyUsernamePrefix = readEnvironmentVariable('ALLOY_USERNAME_PREFIX', '')

// Fivetran (secrets: FivetranApiKey, FivetranApiSecret).
param fivetranBaseUrl = readEnvironmentVariable('FIVETRAN_BASE_URL', '')
param fivetranGroupId = readEnvironmentVariable('FIVETRAN_GROUP_ID', '')
var fivetranServiceList = readEnvironmentVariable('FIVETRAN_ALLOWED_SERVICES', '')
param fivetranAllowedServices = empty(fivetranServiceList) ? [] : split(fivetranServiceList, ',')
param fivetranSchemaPrefix = readEnvironmentVariable('FIVETRAN_SCHEMA_PREFIX', '')
param fivetranDefaultRedirectUri = readEnvironmentVariable('FIVETRAN_DEFAULT_REDIRECT_URI', '')
param fivetranHideSetupGuide = bool(readEnvironmentVariable('FIVETRAN_HIDE_SETUP_GUIDE', 'false'))

// Polytomic (secret: PolytomicApiKey).
param polytomicBaseUrl = readEnvironmentVariable('POLYTOMIC_BASE_URL', '')
param polytomicApiVersion = readEnvironmentVariable('POLYTOMIC_API_VERSION', '')
var polytomicTypeList = readEnvironmentVariable('POLYTOMIC_ALLOWED_TYPES', '')
param polytomicAllowedTypes = empty(polytomicTypeList) ? [] : split(polytomicTypeList, ',')
param polytomicDefaultRedirectUrl = readEnvironmentVariable('POLYTOMIC_DEFAULT_REDIRECT_URL', '')
param polytomicNamePrefix = readEnvironmentVariable('POLYTOMIC_NAME_PREFIX', '')
