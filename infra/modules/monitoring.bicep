// Log Analytics workspace and a workspace-based Application Insights component that accepts
// only Entra ID (managed identity) authenticated telemetry.

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Azure region.')
param location string

@description('Tags for both resources.')
param tags object = {}

@description('Days of log retention in the workspace.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // No instrumentation-key ingestion: telemetry must carry an Entra ID token
    // (Monitoring Metrics Publisher for the app identity, see roles.bicep).
    DisableLocalAuth: true
  }
}

@description('Name of the Application Insights component (the function app module reads its connection string itself).')
output applicationInsightsName string = applicationInsights.name

@description('Name of the Log Analytics workspace.')
output logAnalyticsName string = workspace.name

@description('Resource id of the Log Analytics workspace (diagnostic settings send logs there).')
output logAnalyticsWorkspaceId string = workspace.id
