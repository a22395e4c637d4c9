using System.Text.RegularExpressions;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Infra;

/// <summary>
/// Security and configuration invariants of the Bicep in <c>infra/</c>, checked on the ARM JSON that
/// the real Bicep CLI compiles (<see cref="CompiledInfra"/>, through <c>infra/build.sh</c>): resources
/// by type, their properties, role assignments, and the app settings as ARM expressions. A few
/// checks stay on the Bicep text where the text is what matters (module files, comments aside).
/// </summary>
public sealed class BicepInvariantTests
{
    // Settings keys (env-var form) that the app reads but the Bicep deliberately does not set.
    // A whole section ("Secrets") or one setting ("Section__Property"). Say why for each entry.
    private static readonly HashSet<string> NotDeployed = new(StringComparer.Ordinal)
    {
        // Local runs only: in Azure the secrets are read from Key Vault (KeyVault__Uri).
        "Secrets",
        // Bound from the root array AllowedOrigins (AllowedOrigins__0, ...), which has no property
        // names; AllowedOriginsSettings_ComeFromTheCorsParameter checks it.
        "AllowedOrigins",
    };

    private const string IdentityType = "Microsoft.ManagedIdentity/userAssignedIdentities";

    private static CompiledInfra Infra => CompiledInfra.Instance;

    private static string RepoRoot => Infra.RepoRoot;

    /// <summary>Role definition id, the resource type it is scoped to, and the principal parameter of roles.bicep.</summary>
    public static TheoryData<string, string, string> RoleDefinitionIds => new()
    {
        { "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts", "appPrincipalId" }, // Storage Blob Data Owner
        { "3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components", "appPrincipalId" }, // Monitoring Metrics Publisher
        { "4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults", "appPrincipalId" }, // Key Vault Secrets User
        { "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Microsoft.KeyVault/vaults", "deployerPrincipalId" }, // Key Vault Secrets Officer (deployer, optional)
    };

    public static TheoryData<string> FlexForbiddenSettings => new()
    {
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_EXTENSION_VERSION",
        "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTSHARE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
        "SCM_DO_BUILD_DURING_DEPLOYMENT",
        "ENABLE_ORYX_BUILD",
        "WEBSITE_TIME_ZONE",
        "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
        "linuxFxVersion",
        "netFrameworkVersion",
        "functionAppScaleLimit",
    };

    [Fact]
    public void BicepCli_CompilesTemplateAndParametersWithNoDiagnostics()
    {
        Assert.Contains("bicep build infra/main.bicep", Infra.BuildOutput);
        Assert.Contains("bicep build-params infra/main.bicepparam", Infra.BuildOutput);
        Assert.DoesNotMatch(new Regex(@": (Warning|Error) "), Infra.BuildOutput);
        Assert.StartsWith("0.49.2.", Infra.Template.GetProperty("metadata").GetProperty("_generator").GetProperty("version").GetString());

        // The parameter file sets every parameter of main.bicep that has no default, with a value
        // of the declared kind, and the instance memory is one that Flex offers.
        var declared = Infra.Template.GetProperty("parameters");
        foreach (var parameter in declared.EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _)))
        {
            Assert.True(Infra.Parameters.TryGetProperty(parameter.Name, out _), $"main.bicepparam does not set {parameter.Name}");
        }

        Assert.Equal(2048, Infra.Parameters.GetProperty("instanceMemoryMB").GetProperty("value").GetInt32());
        Assert.Equal(
            new[] { 512, 2048, 4096 },
            declared.GetProperty("instanceMemoryMB").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public void BicepParam_ReadsInstanceMemoryFromTheEnvironmentAndRejectsOtherSizes()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "compiled-infra-memory");

        var (exitCode, text) = CompiledInfra.RunBuild(output, new Dictionary<string, string> { ["INSTANCE_MEMORY_MB"] = "4096" });
        Assert.True(exitCode == 0, text);
        using (var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "main.parameters.json"))))
        {
            Assert.Equal(4096, parameters.RootElement.GetProperty("parameters").GetProperty("instanceMemoryMB").GetProperty("value").GetInt32());
        }

        (exitCode, text) = CompiledInfra.RunBuild(output, new Dictionary<string, string> { ["INSTANCE_MEMORY_MB"] = "1024" });
        Assert.NotEqual(0, exitCode);
        Assert.Contains("main.bicepparam", text);
        Assert.Contains("\"1024\"", text);
        Assert.Contains("\"2048\", \"4096\", \"512\"", text);
    }

    [Fact]
    public void InfraFolder_HasMainAndOneModulePerConcern()
    {
        string[] modules = ["identity", "monitoring", "storage", "keyvault", "functionapp", "roles"];
        foreach (var module in modules)
        {
            Assert.True(File.Exists(InfraPath("modules", $"{module}.bicep")), $"infra/modules/{module}.bicep is missing");
        }

        Assert.True(File.Exists(InfraPath("main.bicep")));
        Assert.True(File.Exists(InfraPath("main.bicepparam")));
        Assert.Equal(modules.Order(), Infra.Templates.Skip(1).Select(t => t.Module).Order());
    }

    [Fact]
    public void MainBicep_ReferencesOnlyModulesThatExist()
    {
        var references = Regex.Matches(Read("main.bicep"), @"^module\s+\w+\s+'([^']+)'", RegexOptions.Multiline);

        Assert.NotEmpty(references);
        foreach (Match reference in references)
        {
            Assert.True(File.Exists(InfraPath(reference.Groups[1].Value)), $"main.bicep references missing {reference.Groups[1].Value}");
        }
    }

    [Fact]
    public void BicepFiles_UseNoKeysOrConnectionStrings()
    {
        foreach (var call in new[] { "listKeys(", "listAccountSas(", "listServiceSas(", "listConnectionStrings(" })
        {
            Assert.False(Infra.TemplateText.Contains(call, StringComparison.OrdinalIgnoreCase), $"the compiled template calls {call}");
        }

        Assert.False(Infra.TemplateText.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase), "the compiled template builds an AccountKey= connection string");
        Assert.False(Infra.TemplateText.Contains("InstrumentationKey", StringComparison.OrdinalIgnoreCase), "the compiled template uses an instrumentation key");

        var settings = Infra.AppSettings();
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Equal(("Microsoft.Insights/components", "ConnectionString"), settings["APPLICATIONINSIGHTS_CONNECTION_STRING"].ResourceProperty());
    }

    [Fact]
    public void Storage_AllowsOnlyIdentityAccessOverTls12()
    {
        var storage = Infra.Single("Microsoft.Storage/storageAccounts");

        Assert.False(storage.Property("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.Property("allowBlobPublicAccess").GetBoolean());
        Assert.True(storage.Property("defaultToOAuthAuthentication").GetBoolean());
        Assert.True(storage.Property("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", storage.Property("minimumTlsVersion").GetString());
        Assert.Equal("None", Infra.Single("Microsoft.Storage/storageAccounts/blobServices/containers").Property("publicAccess").GetString());
    }

    [Fact]
    public void KeyVault_UsesRbacAuthorizationAndSoftDelete()
    {
        var vault = Infra.Single("Microsoft.KeyVault/vaults");

        Assert.True(vault.Property("enableRbacAuthorization").GetBoolean());
        Assert.True(vault.Property("enableSoftDelete").GetBoolean());
        Assert.False(vault.HasProperty("accessPolicies"));
        Assert.Contains("parameters('enablePurgeProtection')", ArmNode.FromJson(vault.Property("enablePurgeProtection")).ToString());
        Assert.Equal("bool", Infra.Module("keyvault").GetProperty("parameters").GetProperty("enablePurgeProtection").GetProperty("type").GetString());
        Assert.Equal("[parameters('keyVaultEnablePurgeProtection')]", ModuleArgument("keyvault", "enablePurgeProtection"));
    }

    [Fact]
    public void KeyVault_SendsAuditLogsToLogAnalytics()
    {
        var diagnostics = Assert.Single(Infra.OfType("Microsoft.Insights/diagnosticSettings"), d => d.Scope?.ResourceProperty()?.ResourceType == "Microsoft.KeyVault/vaults");

        Assert.Equal("keyvault", diagnostics.Module);
        Assert.Contains(
            diagnostics.Property("logs").EnumerateArray(),
            log => log.GetProperty("enabled").GetBoolean()
                && ((log.TryGetProperty("categoryGroup", out var group) && group.GetString() is "audit" or "allLogs")
                    || (log.TryGetProperty("category", out var category) && category.GetString() == "AuditEvent")));

        // workspaceId is the module parameter that main.bicep fills from the monitoring module's workspace.
        Assert.Equal("parameters('logAnalyticsWorkspaceId')", ArmNode.FromJson(diagnostics.Property("workspaceId")).ToString());
        Assert.Equal(
            "reference(resourceId('Microsoft.Resources/deployments', 'monitoring'), '2025-04-01').outputs.logAnalyticsWorkspaceId.value",
            ArmNode.FromTemplateString(ModuleArgument("keyvault", "logAnalyticsWorkspaceId")).ToString());
        var output = Infra.Module("monitoring").GetProperty("outputs").GetProperty("logAnalyticsWorkspaceId").GetProperty("value");
        Assert.Equal(("Microsoft.OperationalInsights/workspaces", ""), ArmNode.FromJson(output).ResourceProperty());
    }

    [Fact]
    public void ApplicationInsights_DisablesLocalAuth()
    {
        Assert.True(Infra.Single("Microsoft.Insights/components").Property("DisableLocalAuth").GetBoolean());
    }

    [Fact]
    public void FunctionApp_IsFlexConsumptionDotnetIsolated10()
    {
        var plan = Infra.Single("Microsoft.Web/serverfarms");
        var site = Infra.Single("Microsoft.Web/sites");

        Assert.Equal("FC1", plan.Json.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.Json.GetProperty("sku").GetProperty("tier").GetString());
        Assert.True(plan.Property("reserved").GetBoolean());
        Assert.Equal("functionapp,linux", site.Json.GetProperty("kind").GetString());
        Assert.Equal("dotnet-isolated", site.Property("functionAppConfig.runtime.name").GetString());
        Assert.Equal("10.0", site.Property("functionAppConfig.runtime.version").GetString());
        foreach (var template in new[] { Infra.Template, Infra.Module("functionapp") })
        {
            var maximum = template.GetProperty("parameters").GetProperty("maximumInstanceCount");
            Assert.Equal(40, maximum.GetProperty("minValue").GetInt32());
            Assert.Equal(1000, maximum.GetProperty("maxValue").GetInt32());
        }

        Assert.Equal("parameters('maximumInstanceCount')", ArmNode.FromJson(site.Property("functionAppConfig.scaleAndConcurrency.maximumInstanceCount")).ToString());
        Assert.Equal("UserAssigned", site.Json.GetProperty("identity").GetProperty("type").GetString());
        Assert.Equal("blobContainer", site.Property("functionAppConfig.deployment.storage.type").GetString());
        Assert.Equal("UserAssignedIdentity", site.Property("functionAppConfig.deployment.storage.authentication.type").GetString());
        Assert.Equal(
            (IdentityType, ""),
            ArmNode.FromJson(site.Property("functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId")).ResourceProperty());
    }

    [Fact]
    public void FunctionApp_EnforcesHttpsTls12AndNoFtp()
    {
        var site = Infra.Single("Microsoft.Web/sites");

        Assert.True(site.Property("httpsOnly").GetBoolean());
        Assert.Equal("1.2", site.Property("siteConfig.minTlsVersion").GetString());
        Assert.Equal("1.2", site.Property("siteConfig.scmMinTlsVersion").GetString());
        Assert.Equal("Disabled", site.Property("siteConfig.ftpsState").GetString());
    }

    [Theory]
    [InlineData("ftp")]
    [InlineData("scm")]
    public void FunctionApp_TurnsOffBasicAuthPublishing(string channel)
    {
        var policy = Assert.Single(
            Infra.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies"),
            p => p.NameNode is ArmCall { Name: "format", Arguments: [_, var site, ArmString name] } && name.Value == channel && site.ToString() == "parameters('name')");

        Assert.Equal("functionapp", policy.Module);
        Assert.Null(policy.Condition);
        Assert.False(policy.Property("allow").GetBoolean());
    }

    [Fact]
    public void FunctionApp_ReachesStorageAndTelemetryWithTheManagedIdentity()
    {
        var settings = Infra.AppSettings();
        var clientId = (IdentityType, "clientId");

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"].Text);
        Assert.Equal(clientId, settings["AzureWebJobsStorage__clientId"].ResourceProperty());
        Assert.Equal(("Microsoft.Storage/storageAccounts", "primaryEndpoints.blob"), settings["AzureWebJobsStorage__blobServiceUri"].ResourceProperty());
        Assert.Equal(clientId, settings["KeyVault__ManagedIdentityClientId"].ResourceProperty());
        Assert.Equal(("Microsoft.KeyVault/vaults", "vaultUri"), settings["KeyVault__Uri"].ResourceProperty());

        var authentication = Assert.IsType<ArmCall>(settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("format", authentication.Name);
        Assert.Equal("ClientId={0};Authorization=AAD", authentication.Arguments[0].Text);
        Assert.Equal(clientId, Assert.Single(authentication.Arguments.Skip(1)).ResourceProperty());

        // The identity whose client id the settings name is the one the site runs as.
        var site = Infra.Single("Microsoft.Web/sites");
        var attached = Assert.Single(site.Json.GetProperty("identity").GetProperty("userAssignedIdentities").EnumerateObject());
        var attachedId = Assert.Single(ArmNode.FromTemplateString(attached.Name).Calls(), c => c.Name == "resourceId");
        var referenced = Assert.IsType<ArmMember>(settings["AzureWebJobsStorage__clientId"]).Target.Calls().First(c => c.Name == "resourceId");
        Assert.Equal(attachedId.ToString(), referenced.ToString());
    }

    [Theory]
    [MemberData(nameof(FlexForbiddenSettings))]
    public void FunctionApp_DoesNotSetSettingsThatFlexForbids(string setting)
    {
        var site = Infra.Single("Microsoft.Web/sites");

        Assert.DoesNotContain(setting, Infra.AppSettings().Keys);
        Assert.False(site.HasProperty($"siteConfig.{setting}"), $"the site sets siteConfig.{setting}");
        Assert.False(Infra.TemplateText.Contains(setting, StringComparison.Ordinal), $"the compiled template mentions {setting}");
        foreach (var (file, text) in AllBicepFiles())
        {
            Assert.False(text.Contains(setting, StringComparison.Ordinal), $"{file} sets {setting}");
        }
    }

    [Theory]
    [MemberData(nameof(RoleDefinitionIds))]
    public void Roles_AssignTheBuiltInRole(string roleDefinitionId, string scopeType, string principalParameter)
    {
        var assignment = Assert.Single(
            Infra.OfType("Microsoft.Authorization/roleAssignments"),
            a => RoleDefinition(a) == roleDefinitionId);

        Assert.Equal("roles", assignment.Module);
        Assert.Equal((scopeType, ""), assignment.Scope?.ResourceProperty());
        Assert.Equal($"parameters('{principalParameter}')", ArmNode.FromJson(assignment.Property("principalId")).ToString());
        if (principalParameter == "appPrincipalId")
        {
            Assert.Equal("ServicePrincipal", assignment.Property("principalType").GetString());
            Assert.Null(assignment.Condition);
        }
    }

    [Fact]
    public void Roles_GiveTheAppOnlyDataPlaneRoles()
    {
        var appRoles = Infra.OfType("Microsoft.Authorization/roleAssignments")
            .Where(a => ArmNode.FromJson(a.Property("principalId")).ToString() == "parameters('appPrincipalId')")
            .Select(RoleDefinition)
            .Order();

        // Storage Blob Data Owner, Monitoring Metrics Publisher, Key Vault Secrets User; no Owner,
        // Contributor or any other management-plane role.
        Assert.Equal(
            new[] { "3913510d-42f4-4e42-8a64-420c390055eb", "4633458b-17de-408a-b874-0445c86b69e6", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b" },
            appRoles);
        Assert.Equal(
            "reference(resourceId('Microsoft.Resources/deployments', 'identity'), '2025-04-01').outputs.principalId.value",
            ArmNode.FromTemplateString(ModuleArgument("roles", "appPrincipalId")).ToString());
    }

    [Fact]
    public void DeploymentStorage_IdentityCanWriteThePackageAndTheDocsSayWhyItIsNotReadOnly()
    {
        // Flex's publish endpoint uploads the package with the deployment-storage identity, so that
        // identity needs a write-capable blob role on the account holding the container (a
        // read-only role there breaks azd deploy and func azure functionapp publish).
        var site = Infra.Single("Microsoft.Web/sites");
        Assert.Equal(
            ("Microsoft.Storage/storageAccounts", "primaryEndpoints.blob"),
            Assert.Single(ArmNode.FromJson(site.Property("functionAppConfig.deployment.storage.value")).Calls(), c => c.Name == "format").Arguments[1].ResourceProperty());
        var writer = Assert.Single(Infra.OfType("Microsoft.Authorization/roleAssignments"), a => RoleDefinition(a) == "b7e6dc6d-f1e8-4753-8033-0f276bb0955b");
        Assert.Equal(("Microsoft.Storage/storageAccounts", ""), writer.Scope?.ResourceProperty());
        Assert.DoesNotContain(Infra.OfType("Microsoft.Authorization/roleAssignments"), a => RoleDefinition(a) == "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"); // Storage Blob Data Reader

        var deployDoc = File.ReadAllText(Path.Combine(RepoRoot, "docs", "deploy.md"));
        Assert.Contains("Storage Blob Data Reader", deployDoc);
        Assert.Contains("BlobUploadFailedException", deployDoc);
        Assert.Contains("BlobUploadFailedException", File.ReadAllText(InfraPath("modules", "roles.bicep")));
    }

    [Fact]
    public void AllowedOriginsSettings_ComeFromTheCorsParameter()
    {
        var site = Infra.Single("Microsoft.Web/sites");
        var settings = Infra.AppSettings();

        Assert.Equal("parameters('allowedOrigins')", ArmNode.FromJson(site.Property("siteConfig.cors.allowedOrigins")).ToString());
        Assert.False(site.Property("siteConfig.cors.supportCredentials").GetBoolean());
        var origin = Assert.IsType<ArmIndex>(settings["AllowedOrigins__{0}"]);
        Assert.Equal("parameters('allowedOrigins')", origin.Target.ToString());
        Assert.Equal("[parameters('allowedOrigins')]", ModuleArgument("functionapp", "allowedOrigins"));
    }

    [Fact]
    public void EasyAuth_Returns401ForUnauthenticatedCallers()
    {
        var auth = Assert.Single(Infra.OfType("Microsoft.Web/sites/config"), r => r.NameNode.ToString().EndsWith("'authsettingsV2')", StringComparison.Ordinal));

        Assert.Equal("equals(parameters('authMode'), 'EasyAuth')", auth.Condition?.ToString());
        Assert.True(auth.Property("platform.enabled").GetBoolean());
        Assert.True(auth.Property("globalValidation.requireAuthentication").GetBoolean());
        Assert.Equal("Return401", auth.Property("globalValidation.unauthenticatedClientAction").GetString());
        Assert.Equal(new[] { "/api/health" }, auth.Property("globalValidation.excludedPaths").EnumerateArray().Select(p => p.GetString()));
        Assert.True(auth.Property("httpSettings.requireHttps").GetBoolean());
    }

    [Fact]
    public void BicepAndParameters_HoldNoSecretValues()
    {
        foreach (var (module, template) in Infra.Templates)
        {
            foreach (var parameter in template.GetProperty("parameters").EnumerateObject())
            {
                var type = parameter.Value.GetProperty("type").GetString();
                Assert.False(type is "securestring" or "secureObject", $"{module} declares secure parameter {parameter.Name}");
                foreach (var secretName in SecretNames.All)
                {
                    Assert.False(parameter.Name.Contains(secretName, StringComparison.OrdinalIgnoreCase), $"{module} has a parameter for secret {secretName}");
                }
            }

            if (template.TryGetProperty("outputs", out var outputs))
            {
                foreach (var output in outputs.EnumerateObject())
                {
                    Assert.DoesNotMatch(new Regex("ConnectionString|secret|listKeys", RegexOptions.IgnoreCase), output.Name + " " + output.Value.GetProperty("value").GetRawText());
                }
            }
        }

        Assert.DoesNotContain(Infra.AppSettings().Keys, key => key.StartsWith("Secrets__", StringComparison.Ordinal));
        foreach (var secretName in SecretNames.All)
        {
            Assert.False(Infra.ParametersText.Contains(secretName, StringComparison.OrdinalIgnoreCase), $"main.parameters.json names secret {secretName}");
        }

        foreach (var (file, text) in AllBicepFiles())
        {
            Assert.False(text.Contains("Secrets__", StringComparison.Ordinal), $"{file} sets a local-only Secrets__ key");
            Assert.DoesNotMatch(new Regex(@"^\s*@secure\(\)", RegexOptions.Multiline), text);
        }
    }

    [Fact]
    public void AppSettings_CoverEveryOptionsPropertyTheCodeReads()
    {
        var settings = Infra.AppSettings();
        var optionsTypes = BoundSettings.OptionsTypes().ToList();
        Assert.Contains(typeof(KeyVaultOptions), optionsTypes); // the reflection finds the options classes at all

        var missing = new List<string>();
        foreach (var type in optionsTypes)
        {
            var section = BoundSettings.Section(type);
            if (NotDeployed.Contains(section))
            {
                continue;
            }

            foreach (var property in BoundSettings.Properties(type))
            {
                // A scalar is one setting; a list or map is Key__{0} (a loop in the template).
                var key = $"{section}__{property.Name}";
                var present = BoundSettings.IsScalar(property.PropertyType)
                    ? settings.ContainsKey(key)
                    : settings.Keys.Any(k => k.StartsWith($"{key}__{{", StringComparison.Ordinal));
                if (!NotDeployed.Contains(key) && !present)
                {
                    missing.Add($"{key} ({type.Name}.{property.Name})");
                }
            }
        }

        Assert.True(missing.Count == 0, $"the compiled app settings have nothing for: {string.Join(", ", missing)}");
        Assert.Contains("AllowedOrigins__{0}", settings.Keys);
    }

    [Fact]
    public void DeployDoc_NamesEveryStep()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot, "docs", "deploy.md"));

        Assert.Contains("azd up", doc);
        Assert.Contains("az deployment group create", doc);
        Assert.Contains("-f infra/main.bicep", doc);
        Assert.Contains("func azure functionapp publish", doc);
        Assert.Contains("/api/health", doc);
        Assert.Contains("401", doc);
        Assert.Contains("Access-Control-Request-Method", doc);
        foreach (var secretName in SecretNames.All)
        {
            Assert.Matches(new Regex($@"az keyvault secret set\b.*--name {secretName}\b"), doc);
        }
    }

    /// <summary>The role definition GUID of a role assignment, with <c>variables('...RoleId')</c> resolved.</summary>
    private static string RoleDefinition(InfraResource assignment)
    {
        var id = Assert.IsType<ArmCall>(ArmNode.FromJson(assignment.Property("roleDefinitionId")));
        Assert.Equal("subscriptionResourceId", id.Name);
        Assert.Equal("Microsoft.Authorization/roleDefinitions", id.Arguments[0].Text);
        return CompiledInfra.Resolve(id.Arguments[1], assignment.Template).Text
            ?? throw new InvalidOperationException($"role definition id is not a literal: {id}");
    }

    /// <summary>The value main.bicep passes to a module parameter (an expression string or a literal).</summary>
    private static string ModuleArgument(string module, string parameter)
    {
        var deployment = Assert.Single(Infra.OfType("Microsoft.Resources/deployments"), d => d.Name == module);
        var value = deployment.Property($"parameters.{parameter}.value");
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
    }

    private static IEnumerable<(string File, string Text)> AllBicepFiles() =>
        Directory.EnumerateFiles(InfraPath(), "*.bicep*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith(".bicep", StringComparison.Ordinal) || path.EndsWith(".bicepparam", StringComparison.Ordinal))
            .Select(path => (Path.GetRelativePath(RepoRoot, path), WithoutCommentLines(File.ReadAllText(path))));

    private static string Read(params string[] parts) => WithoutCommentLines(File.ReadAllText(InfraPath(parts)));

    /// <summary>Drops whole-line <c>//</c> comments, so a comment neither satisfies nor breaks an invariant.</summary>
    private static string WithoutCommentLines(string bicep) => Regex.Replace(bicep, @"^[ \t]*//.*$", string.Empty, RegexOptions.Multiline);

    private static string InfraPath(params string[] parts) => Path.Combine([RepoRoot, "infra", .. parts]);
}
