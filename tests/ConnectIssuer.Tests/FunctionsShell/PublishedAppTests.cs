using ConnectIssuer.FunctionsHost;

namespace ConnectIssuer.Tests.FunctionsShell;

/// <summary>
/// The folder <c>dotnet publish src/ConnectIssuer.Functions</c> yields is what <c>func azure functionapp publish</c>
/// uploads: its metadata must list exactly the route table, anonymous (the product checks callers itself).
/// </summary>
public sealed class PublishedAppTests
{
    [Fact]
    public async Task FunctionsMetadata_ListsTheRouteTableExactly_Anonymous()
    {
        var app = await PublishedApp.LocateAsync();
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(app, "functions.metadata")));

        var published = metadata.RootElement.EnumerateArray().Select(function =>
        {
            var trigger = Assert.Single(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == "httpTrigger");
            Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
            Assert.Equal("ConnectIssuer.Functions.dll", function.GetProperty("scriptFile").GetString());
            var method = Assert.Single(trigger.GetProperty("methods").EnumerateArray()).GetString()!.ToUpperInvariant();
            return new RouteDefinition(function.GetProperty("name").GetString()!, method, trigger.GetProperty("route").GetString()!);
        }).OrderBy(r => r.FunctionName, StringComparer.Ordinal);

        Assert.Equal(Routes.All.OrderBy(r => r.FunctionName, StringComparer.Ordinal), published);
    }

    [Fact]
    public async Task PublishedFolder_HasWhatTheHostNeeds()
    {
        var app = await PublishedApp.LocateAsync();

        using var worker = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(app, "worker.config.json")));
        var description = worker.RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("ConnectIssuer.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());
        Assert.Equal("true", description.GetProperty("workerIndexing").GetString());
        using var host = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(app, "host.json")));
        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.Equal(Routes.Prefix, host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(app, ".azurefunctions"), "*.dll"));
        Assert.False(File.Exists(Path.Combine(app, "local.settings.json")), "local.settings.json must never be published");
    }
}
