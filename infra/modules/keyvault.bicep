// Key Vault for the vendor secrets, in RBAC mode (no access policies). The vault starts empty:
// secret values are set after deployment (see docs/deploy.md) and never pass through Bicep.

@description('Name of the vault (3-24 characters, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the vault.')
param tags object = {}

@description('Days a deleted vault or secret stays recoverable (7-90). Cannot be changed after the vault is created.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Turn on purge protection. Recommended for production; it can never be turned off again, and it blocks re-creating the same vault name until the retention period ends.')
param enablePurgeProtection bool = true

@description('Resource id of the Log Analytics workspace that receives the vault\'s audit log.')
param logAnalyticsWorkspaceId string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // The service accepts only true or null here: false is rejected once purge protection is on.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Every secret read, write and denied access (the audit category group: AuditEvent) goes to the
// Log Analytics workspace, so who read which vendor secret when can be answered later.
resource auditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: vault
  name: 'audit-to-log-analytics'
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

@description('Name of the vault.')
output name string = vault.name

@description('Vault URI (https://<name>.vault.azure.net/), for KeyVault__Uri.')
output uri string = vault.properties.vaultUri
