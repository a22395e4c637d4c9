using System.Text.Json.Nodes;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.FunctionsShell;

/// <summary>
/// <c>local.settings.json.example</c> is what a developer copies to run the worker under Core Tools: it
/// must name every setting the worker reads, in the app-setting form (<c>Section__Property</c>,
/// arrays as <c>__0</c>, maps with at least one entry), and nothing the worker does not read.
/// </summary>
public sealed class LocalSettingsExampleTests
{
    // Settings outside the options classes: what Core Tools needs, and the Application Insights
    // settings the worker's SDK reads when present (left out of the example: an empty connection
    // string is an error, and without one the SDK sends nothing, which suits local runs).
    private static readonly string[] CoreToolsKeys = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"];
    private static readonly string[] OptionalPlatformKeys = ["APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];

    [Fact]
    public void Values_HaveAKeyForEverySettingTheWorkerReads()
    {
        var keys = ReadValues().Keys.ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(BoundSettings.OptionsTypes()); // the reflection finds the options classes at all

        var missing = ExpectedSettings()
            .Where(setting => !setting.IsPresentIn(keys))
            .Select(setting => setting.Describe())
            .ToList();

        Assert.True(
            missing.Count == 0,
            $"local.settings.json.example has no Values entry for: {string.Join(", ", missing)}. Add each with its default or a <placeholder>.");
    }

    [Fact]
    public void Values_NameNoSettingTheWorkerDoesNotRead()
    {
        var expected = ExpectedSettings().ToList();

        var unknown = ReadValues().Keys
            .Where(key => !OptionalPlatformKeys.Contains(key, StringComparer.Ordinal) && !expected.Any(setting => setting.Matches(key)))
            .ToList();

        Assert.True(unknown.Count == 0, $"local.settings.json.example names settings the worker does not read (misspelt or removed?): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Values_AreStringsAndTheFileIsNotEncrypted()
    {
        var root = ReadExample();

        Assert.Equal(false, root["IsEncrypted"]?.GetValue<bool>());
        Assert.Equal("dotnet-isolated", root["Values"]!["FUNCTIONS_WORKER_RUNTIME"]!.GetValue<string>());
        // Core Tools turns Values into environment variables and refuses anything but strings.
        Assert.All(ReadValues(), entry => Assert.Equal(JsonValueKind.String, entry.Value?.GetValueKind()));
    }

    private static IEnumerable<ExpectedSetting> ExpectedSettings()
    {
        foreach (var key in CoreToolsKeys)
        {
            yield return new ExpectedSetting(key, SettingShape.Scalar, "Core Tools");
        }

        foreach (var type in BoundSettings.OptionsTypes())
        {
            var section = BoundSettings.Section(type);
            foreach (var property in BoundSettings.Properties(type))
            {
                var shape = BoundSettings.IsScalar(property.PropertyType) ? SettingShape.Scalar
                    : BoundSettings.IsDictionary(property.PropertyType) ? SettingShape.Map
                    : SettingShape.Array;
                yield return new ExpectedSetting($"{section}__{property.Name}", shape, $"{type.Name}.{property.Name}");
            }
        }

        // Read by name when KeyVault__Uri is empty (local runs only).
        foreach (var name in SecretNames.All)
        {
            yield return new ExpectedSetting($"Secrets__{name}", SettingShape.Scalar, "SecretNames");
        }

        // Bound from the root array, which has no property names.
        yield return new ExpectedSetting("AllowedOrigins", SettingShape.Array, "AllowedOriginsOptions");
    }

    private static Dictionary<string, JsonNode?> ReadValues() =>
        ReadExample()["Values"]!.AsObject().ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal);

    private static JsonNode ReadExample() =>
        JsonNode.Parse(
            File.ReadAllText(Path.Combine(FunctionsShellTests.RepositoryRoot(), "local.settings.json.example")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;

    private enum SettingShape
    {
        Scalar,
        Array,
        Map,
    }

    private sealed record ExpectedSetting(string Key, SettingShape Shape, string Source)
    {
        public bool IsPresentIn(HashSet<string> keys) => Shape switch
        {
            SettingShape.Scalar => keys.Contains(Key),
            SettingShape.Array => keys.Contains($"{Key}__0"),
            _ => keys.Any(Matches),
        };

        public bool Matches(string key) => Shape switch
        {
            SettingShape.Scalar => key == Key,
            SettingShape.Array => key.StartsWith($"{Key}__", StringComparison.Ordinal) && int.TryParse(key.AsSpan(Key.Length + 2), out _),
            _ => key.StartsWith($"{Key}__", StringComparison.Ordinal) && key.Length > Key.Length + 2,
        };

        public string Describe() => Shape switch
        {
            SettingShape.Scalar => $"{Key} ({Source})",
            SettingShape.Array => $"{Key}__0 ({Source})",
            _ => $"{Key}__<name> ({Source})",
        };
    }
}
