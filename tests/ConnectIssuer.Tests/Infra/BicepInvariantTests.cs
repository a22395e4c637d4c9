using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.Tests.Infra;

/// <summary>
/// Security and configuration invariants of the Bicep in <c>infra/</c>, checked on the text (no Bicep
/// compiler runs here; <c>tests/bicep/check.mjs</c> checks the syntax).
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
        // PENDING (issue 14 item 5): the lead wires these three as Bicep parameters in the infra change; remove
        // the entries then. Optional settings: without them a deployment behaves as before.
        "Auth__ValidTypes",
        "Auth__RequiredScopes",
        "Auth__AllowedClientIds",
    };

    private static readonly string RepoRoot = FindRepoRoot();

    public static TheoryData<string> RoleDefinitionIds => new()
    {
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
        "3913510d-42f4-4e42-8a64-420c390055eb", // Monitoring Metrics Publisher
        "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", // Key Vault Secrets Officer (deployer, optional)
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
    public void InfraFolder_HasMainAndOneModulePerConcern()
    {
        foreach (var module in new[] { "identity", "monitoring", "storage", "keyvault", "functionapp", "roles" })
        {
            Assert.True(File.Exists(InfraPath("modules", $"{module}.bicep")), $"infra/modules/{module}.bicep is missing");
        }

        Assert.True(File.Exists(InfraPath("main.bicep")));
        Assert.True(File.Exists(InfraPath("main.bicepparam")));
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
        foreach (var (file, text) in AllBicepFiles())
        {
            Assert.False(text.Contains("listKeys(", StringComparison.OrdinalIgnoreCase), $"{file} calls listKeys(");
            Assert.False(text.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase), $"{file} builds an AccountKey= connection string");
            Assert.False(text.Contains("InstrumentationKey", StringComparison.OrdinalIgnoreCase), $"{file} uses an instrumentation key");
            Assert.DoesNotMatch(new Regex(@"\bAzureWebJobsStorage\s*:"), text);
        }
    }

    [Fact]
    public void Storage_AllowsOnlyIdentityAccessOverTls12()
    {
        var storage = Read("modules", "storage.bicep");

        Assert.Contains("allowSharedKeyAccess: false", storage);
        Assert.Contains("allowBlobPublicAccess: false", storage);
        Assert.Contains("minimumTlsVersion: 'TLS1_2'", storage);
        Assert.Contains("publicAccess: 'None'", storage);
    }

    [Fact]
    public void KeyVault_UsesRbacAuthorizationAndSoftDelete()
    {
        var vault = Read("modules", "keyvault.bicep");

        Assert.Contains("enableRbacAuthorization: true", vault);
        Assert.Contains("enableSoftDelete: true", vault);
        Assert.Contains("param enablePurgeProtection bool", vault);
        Assert.DoesNotContain("accessPolicies", vault);
    }

    [Fact]
    public void ApplicationInsights_DisablesLocalAuth()
    {
        Assert.Contains("DisableLocalAuth: true", Read("modules", "monitoring.bicep"));
    }

    [Fact]
    public void FunctionApp_IsFlexConsumptionDotnetIsolated10()
    {
        var app = Read("modules", "functionapp.bicep");

        Assert.Contains("name: 'FC1'", app);
        Assert.Contains("tier: 'FlexConsumption'", app);
        Assert.Contains("kind: 'functionapp,linux'", app);
        Assert.Contains("name: 'dotnet-isolated'", app);
        Assert.Contains("version: '10.0'", app);
        Assert.Contains("@minValue(40)", app);
        Assert.Contains("@maxValue(1000)", app);
        Assert.Contains("type: 'UserAssignedIdentity'", app);
    }

    [Fact]
    public void FunctionApp_EnforcesHttpsTls12AndNoFtp()
    {
        var app = Read("modules", "functionapp.bicep");

        Assert.Contains("httpsOnly: true", app);
        Assert.Contains("minTlsVersion: '1.2'", app);
        Assert.Contains("ftpsState: 'Disabled'", app);
    }

    [Fact]
    public void FunctionApp_ReachesStorageAndTelemetryWithTheManagedIdentity()
    {
        var app = Read("modules", "functionapp.bicep");

        Assert.Contains("AzureWebJobsStorage__credential: 'managedidentity'", app);
        Assert.Contains("AzureWebJobsStorage__clientId: identity.properties.clientId", app);
        Assert.Contains("APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'", app);
        Assert.Contains("{ name: 'KeyVault__ManagedIdentityClientId', value: identity.properties.clientId }", app);
    }

    [Theory]
    [MemberData(nameof(FlexForbiddenSettings))]
    public void FunctionApp_DoesNotSetSettingsThatFlexForbids(string setting)
    {
        foreach (var (file, text) in AllBicepFiles())
        {
            Assert.False(text.Contains(setting, StringComparison.Ordinal), $"{file} sets {setting}");
        }
    }

    [Theory]
    [MemberData(nameof(RoleDefinitionIds))]
    public void Roles_AssignTheBuiltInRole(string roleDefinitionId)
    {
        Assert.Contains($"'{roleDefinitionId}'", Read("modules", "roles.bicep"));
    }

    [Fact]
    public void AllowedOriginsSettings_ComeFromTheCorsParameter()
    {
        var app = Read("modules", "functionapp.bicep");

        Assert.Contains("allowedOrigins: allowedOrigins", app);
        Assert.Contains("[for (origin, i) in allowedOrigins: { name: 'AllowedOrigins__${i}', value: origin }]", app);
    }

    [Fact]
    public void EasyAuth_Returns401ForUnauthenticatedCallers()
    {
        var app = Read("modules", "functionapp.bicep");

        Assert.Contains("name: 'authsettingsV2'", app);
        Assert.Contains("if (authMode == 'EasyAuth')", app);
        Assert.Contains("unauthenticatedClientAction: 'Return401'", app);
    }

    [Fact]
    public void BicepAndParameters_HoldNoSecretValues()
    {
        foreach (var (file, text) in AllBicepFiles())
        {
            Assert.False(text.Contains("Secrets__", StringComparison.Ordinal), $"{file} sets a local-only Secrets__ key");
            Assert.DoesNotMatch(new Regex(@"^\s*@secure\(\)", RegexOptions.Multiline), text);
            Assert.DoesNotMatch(new Regex(@"^output\s.*(ConnectionString|secret|listKeys)", RegexOptions.Multiline | RegexOptions.IgnoreCase), text);
            foreach (var secretName in SecretNames.All)
            {
                Assert.DoesNotMatch(new Regex($@"^\s*param\s+\w*{secretName}", RegexOptions.Multiline | RegexOptions.IgnoreCase), text);
            }
        }
    }

    [Fact]
    public void AppSettings_CoverEveryOptionsPropertyTheCodeReads()
    {
        var app = Read("modules", "functionapp.bicep");
        var optionsTypes = OptionsTypes().ToList();
        Assert.Contains(typeof(KeyVaultOptions), optionsTypes); // the reflection finds the options classes at all

        var missing = new List<string>();
        foreach (var type in optionsTypes)
        {
            var section = ((string)type.GetField("SectionName")!.GetRawConstantValue()!).Replace(":", "__", StringComparison.Ordinal);
            if (NotDeployed.Contains(section))
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
                {
                    continue;
                }

                var key = $"{section}__{property.Name}";
                var expected = IsScalar(property.PropertyType) ? $"'{key}'" : $"'{key}__${{";
                if (!NotDeployed.Contains(key) && !app.Contains(expected, StringComparison.Ordinal))
                {
                    missing.Add($"{expected} ({type.Name}.{property.Name})");
                }
            }
        }

        Assert.True(missing.Count == 0, $"infra/modules/functionapp.bicep sets no app setting for: {string.Join(", ", missing)}");
        Assert.Contains("'AllowedOrigins__${", app);
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

    private static IEnumerable<Type> OptionsTypes() =>
        typeof(Routes).Assembly.GetTypes().Where(type =>
            type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
            && field.FieldType == typeof(string));

    /// <summary>A value bound from one setting; anything else (arrays, maps, nested objects) binds from <c>Key__*</c>.</summary>
    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum
            || type == typeof(string) || type == typeof(decimal) || type == typeof(Uri) || type == typeof(Guid)
            || type == typeof(TimeSpan) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || !(typeof(IEnumerable).IsAssignableFrom(type) || type.IsClass);
    }

    private static IEnumerable<(string File, string Text)> AllBicepFiles() =>
        Directory.EnumerateFiles(InfraPath(), "*.bicep*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith(".bicep", StringComparison.Ordinal) || path.EndsWith(".bicepparam", StringComparison.Ordinal))
            .Select(path => (Path.GetRelativePath(RepoRoot, path), WithoutCommentLines(File.ReadAllText(path))));

    private static string Read(params string[] parts) => WithoutCommentLines(File.ReadAllText(InfraPath(parts)));

    /// <summary>Drops whole-line <c>//</c> comments, so a comment neither satisfies nor breaks an invariant.</summary>
    private static string WithoutCommentLines(string bicep) => Regex.Replace(bicep, @"^[ \t]*//.*$", string.Empty, RegexOptions.Multiline);

    private static string InfraPath(params string[] parts) => Path.Combine([RepoRoot, "infra", .. parts]);

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Functions.sln not found above {AppContext.BaseDirectory}");
    }
}
