using System.Diagnostics;

namespace ConnectIssuer.Tests.Infra;

/// <summary>
/// <c>infra/</c> compiled by the real Bicep CLI through <c>infra/build.sh</c> (which restores the CLI
/// from NuGet when needed and fails on any error or warning), once per test run. The tests read the
/// ARM JSON: resources by type, their properties and ARM expressions, and the app settings.
/// </summary>
internal sealed class CompiledInfra
{
    private static readonly Lazy<CompiledInfra> Compiled = new(Compile, LazyThreadSafetyMode.ExecutionAndPublication);

    private CompiledInfra(string repoRoot, string outputFolder, string buildOutput)
    {
        RepoRoot = repoRoot;
        BuildOutput = buildOutput;
        TemplateText = File.ReadAllText(Path.Combine(outputFolder, "main.json"));
        Template = JsonDocument.Parse(TemplateText).RootElement.Clone();
        ParametersText = File.ReadAllText(Path.Combine(outputFolder, "main.parameters.json"));
        Parameters = JsonDocument.Parse(ParametersText).RootElement.GetProperty("parameters").Clone();
        Resources = [.. Flatten("main", Template)];
    }

    public static CompiledInfra Instance => Compiled.Value;

    public string RepoRoot { get; }

    /// <summary>What infra/build.sh printed (the CLI commands and their diagnostics).</summary>
    public string BuildOutput { get; }

    /// <summary>main.json: the ARM template of infra/main.bicep with every module inlined.</summary>
    public JsonElement Template { get; }

    public string TemplateText { get; }

    /// <summary>The <c>parameters</c> object of main.parameters.json (infra/main.bicepparam with azd's sample environment).</summary>
    public JsonElement Parameters { get; }

    public string ParametersText { get; }

    /// <summary>Every resource of every template (main and each module), with the template that holds it.</summary>
    public IReadOnlyList<InfraResource> Resources { get; }

    /// <summary>The templates: main, then each module by its deployment name.</summary>
    public IEnumerable<(string Module, JsonElement Template)> Templates =>
        Resources.Where(r => r.Type == "Microsoft.Resources/deployments")
            .Select(r => (r.Name, r.Json.GetProperty("properties").GetProperty("template")))
            .Prepend(("main", Template));

    public JsonElement Module(string name) => Templates.Single(t => t.Module == name).Template;

    public IReadOnlyList<InfraResource> OfType(string type) => [.. Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase))];

    public InfraResource Single(string type) => Assert.Single(OfType(type));

    /// <summary>The site's <c>appsettings</c>: setting name (loops as <c>Name__{0}</c>) to its value expression.</summary>
    public IReadOnlyDictionary<string, ArmNode> AppSettings()
    {
        var resource = Assert.Single(OfType("Microsoft.Web/sites/config"), r => r.NameNode.ToString().EndsWith("'appsettings')", StringComparison.Ordinal));
        var settings = new Dictionary<string, ArmNode>(StringComparer.Ordinal);
        foreach (var (name, value) in Settings(ArmNode.FromJson(resource.Properties), resource.Template))
        {
            var key = name switch
            {
                ArmString literal => literal.Value,
                ArmCall { Name: "format", Arguments: [ArmString pattern, ..] } => pattern.Value,
                _ => throw new InvalidOperationException($"App setting name is neither a literal nor format(...): {name}"),
            };
            Assert.True(settings.TryAdd(key, value), $"App setting {key} is set twice");
        }

        return settings;
    }

    /// <summary>Resolves <c>variables('x')</c> to the variable's value when it is a plain literal.</summary>
    public static ArmNode Resolve(ArmNode node, JsonElement template) =>
        node is ArmCall { Name: "variables", Arguments: [ArmString name] }
        && template.GetProperty("variables").TryGetProperty(name.Value, out var value)
            ? ArmNode.FromJson(value)
            : node;

    // Walks the shapes Bicep compiles objects and lists of { name, value } into. Anything else
    // fails loudly, so a refactor of the settings in functionapp.bicep updates this reader too.
    private static IEnumerable<(ArmNode Name, ArmNode Value)> Settings(ArmNode node, JsonElement template) => node switch
    {
        ArmCall { Name: "union" or "concat" or "createArray" } call => call.Arguments.SelectMany(a => Settings(a, template)),
        ArmCall { Name: "toObject" or "filter", Arguments: [var source, ..] } => Settings(source, template),
        ArmCall { Name: "if", Arguments: [_, var then, var otherwise] } => Settings(then, template).Concat(Settings(otherwise, template)),
        ArmCall { Name: "createObject", Arguments: [ArmString { Value: "name" }, var name, ArmString { Value: "value" }, var value] } => [(name, value)],
        ArmCall { Name: "createObject" } call => call.Arguments.Chunk(2).Select(pair => (pair[0], pair[1])),
        ArmCall { Name: "variables", Arguments: [ArmString variable] } => Variable(variable.Value, template),
        _ => throw new InvalidOperationException($"Unexpected shape in the app settings: {node}"),
    };

    private static IEnumerable<(ArmNode Name, ArmNode Value)> Variable(string name, JsonElement template)
    {
        var variables = template.GetProperty("variables");
        if (variables.TryGetProperty(name, out var value))
        {
            return value.ValueKind switch
            {
                JsonValueKind.String => Settings(ArmNode.FromJson(value), template),
                JsonValueKind.Object => value.EnumerateObject().Select(p => ((ArmNode)new ArmString(p.Name), ArmNode.FromJson(p.Value))).ToList(),
                JsonValueKind.Array => value.EnumerateArray().Select(e => (ArmNode.FromJson(e.GetProperty("name")), ArmNode.FromJson(e.GetProperty("value")))).ToList(),
                _ => throw new InvalidOperationException($"Unexpected app settings variable {name}: {value}"),
            };
        }

        // A for-expression: variables.copy[] { name, input: { name, value } }.
        var loop = variables.GetProperty("copy").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var input = loop.GetProperty("input");
        return [(ArmNode.FromJson(input.GetProperty("name")), ArmNode.FromJson(input.GetProperty("value")))];
    }

    private static IEnumerable<InfraResource> Flatten(string module, JsonElement template)
    {
        var resources = template.GetProperty("resources");
        var items = resources.ValueKind == JsonValueKind.Object
            ? resources.EnumerateObject().Select(p => p.Value)
            : resources.EnumerateArray();
        foreach (var resource in items)
        {
            var entry = new InfraResource(module, resource, template);
            yield return entry;
            if (entry.Type == "Microsoft.Resources/deployments")
            {
                foreach (var inner in Flatten(entry.Name, resource.GetProperty("properties").GetProperty("template")))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Runs infra/build.sh into <paramref name="outputFolder"/> with extra environment values (as azd env would set them).</summary>
    public static (int ExitCode, string Output) RunBuild(string outputFolder, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(FindRepoRoot(), "infra", "build.sh"), outputFolder },
            WorkingDirectory = FindRepoRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // The test host runs under dotnet test; its MSBuild variables must not leak into the
        // script's own dotnet restore/msbuild.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("infra/build.sh did not finish within 10 minutes");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static CompiledInfra Compile()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "compiled-infra");
        var (exitCode, text) = RunBuild(output);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"infra/build.sh failed (exit {exitCode}):\n{text}");
        }

        return new CompiledInfra(FindRepoRoot(), output, text);
    }

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

/// <summary>One resource of a compiled template; <see cref="Module"/> is the deployment that holds it.</summary>
internal sealed record InfraResource(string Module, JsonElement Json, JsonElement Template)
{
    public string Type => Json.GetProperty("type").GetString()!;

    /// <summary>The name as written in the template (an expression for most resources).</summary>
    public string Name => Json.GetProperty("name").GetString()!;

    public ArmNode NameNode => ArmNode.FromTemplateString(Name);

    public JsonElement Properties => Json.GetProperty("properties");

    public ArmNode? Condition => Json.TryGetProperty("condition", out var condition) ? ArmNode.FromJson(condition) : null;

    public ArmNode? Scope => Json.TryGetProperty("scope", out var scope) ? ArmNode.FromJson(scope) : null;

    /// <summary>A property by dotted path (<c>siteConfig.minTlsVersion</c>) under <c>properties</c>.</summary>
    public JsonElement Property(string path)
    {
        var element = Properties;
        foreach (var part in path.Split('.'))
        {
            Assert.True(element.ValueKind == JsonValueKind.Object && element.TryGetProperty(part, out element), $"{Type} in {Module} has no properties.{path}");
        }

        return element;
    }

    public bool HasProperty(string path)
    {
        var element = Properties;
        foreach (var part in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
            {
                return false;
            }
        }

        return true;
    }
}
