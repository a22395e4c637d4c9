using System.Text.Json.Nodes;
using ConnectIssuer.Tests.FunctionsShell;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Local;

/// <summary>
/// <c>/openapi/v1.json</c> describes every route of the contract, and <c>docs/openapi.json</c> is that document.
/// After a route or a schema changes, regenerate the copy with <c>UPDATE_OPENAPI=1 dotnet test tests/ConnectIssuer.Tests --filter OpenApi</c>.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private const string CommittedPath = "docs/openapi.json";

    public static TheoryData<string, string> RouteTable
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var route in Routes.All)
            {
                data.Add(route.Method, route.Path);
            }

            return data;
        }
    }

    [Fact]
    public async Task Document_ServedInDevelopment_EqualsTheCommittedCopy()
    {
        var served = await ServedDocumentAsync();
        var path = Path.Combine(FunctionsShellTests.RepositoryRoot(), CommittedPath);
        var pretty = served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, pretty);
        }

        Assert.True(File.Exists(path), $"{CommittedPath} is missing: run UPDATE_OPENAPI=1 dotnet test tests/ConnectIssuer.Tests --filter OpenApi");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        Assert.True(
            Normalize(committed) == Normalize(served),
            $"{CommittedPath} differs from the served /openapi/v1.json: run UPDATE_OPENAPI=1 dotnet test tests/ConnectIssuer.Tests --filter OpenApi and commit the file.");
    }

    [Theory]
    [MemberData(nameof(RouteTable))]
    public async Task Document_RouteOfTheContract_IsDescribedWithItsMethodAndName(string method, string path)
    {
        var document = await ServedDocumentAsync();

        var operation = document["paths"]?[path]?[method.ToLowerInvariant()];

        Assert.True(operation is not null, $"{method} {path} is not in /openapi/v1.json");
        Assert.Equal(Routes.All.Single(r => r.Path == path).FunctionName, operation!["operationId"]?.GetValue<string>());
        if (method == "DELETE")
        {
            // A delete answers 204 with no body.
            Assert.Null(operation["responses"]?["204"]?["content"]);
            Assert.NotNull(operation["responses"]?["204"]);
        }
        else
        {
            Assert.NotNull(operation["responses"]?["200"]?["content"]?["application/json"]?["schema"]);
        }
    }

    [Fact]
    public async Task Document_IssuingRoutes_HaveBodiesProblemsWithCodesAndBearer()
    {
        var document = await ServedDocumentAsync();

        var token = document["paths"]!["/api/integration-app/token"]!["post"]!;
        Assert.NotNull(token["requestBody"]!["content"]!["application/json"]!["schema"]);
        Assert.Equal("#/components/schemas/IssueResponse", token["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("bearer", Assert.Single(token["security"]!.AsArray()[0]!.AsObject()).Key);
        var unavailable = token["responses"]!["503"]!;
        var codes = unavailable["content"]!["application/problem+json"]!["schema"]!["allOf"]![1]!["properties"]!["code"]!["enum"]!.AsArray().Select(c => c!.GetValue<string>());
        Assert.Equal(["vendor_not_configured", "vendor_throttled", "secrets_unavailable", "auth_unavailable"], codes);
        Assert.NotNull(unavailable["headers"]!["Retry-After"]);
        Assert.NotNull(token["responses"]!["401"]!["headers"]!["WWW-Authenticate"]);
        var problem = document["components"]!["schemas"]!["Problem"]!;
        Assert.Equal(typeof(ConnectIssuer.Http.ProblemCodes).GetFields().Length, problem["properties"]!["code"]!["enum"]!.AsArray().Count);
        Assert.Null(document["components"]!["schemas"]!["ProblemDetails"]);
        Assert.Equal("#/components/schemas/HealthResponse", document["paths"]!["/api/health"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Null(document["paths"]!["/api/health"]!["get"]!["security"]);
        Assert.DoesNotContain(document["paths"]!.AsObject(), p => !p.Key.StartsWith("/api/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Production", null, HttpStatusCode.NotFound)]
    [InlineData("Production", "true", HttpStatusCode.OK)]
    [InlineData("Development", "false", HttpStatusCode.NotFound)]
    public async Task Document_OpenApiEnabled_DecidesWhetherItIsServed(string environment, string? enabled, HttpStatusCode expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Mode"] = environment == "Development" ? "Development" : "Oidc",
            ["Auth:Authority"] = "http://127.0.0.1:1",
            ["Auth:RequireHttpsMetadata"] = "false",
            ["Auth:Audiences:0"] = "api://x",
            ["OpenApi:Enabled"] = enabled,
        };
        await using var server = await TestApp.StartServerAsync(settings, environment);

        Assert.Equal(expected, (await server.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).StatusCode);
    }

    /// <summary>The document as the Development server serves it, with the sandbox on (it must not change the document).</summary>
    private static async Task<JsonNode> ServedDocumentAsync()
    {
        await using var server = await TestApp.StartServerAsync(
            new Dictionary<string, string?> { ["Auth:Mode"] = "Development", ["Sandbox:Enabled"] = "true" }, "Development");
        var response = await server.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>Compact JSON with object keys sorted, so formatting and key order don't count as differences.</summary>
    private static string Normalize(JsonNode node) => Sorted(node)?.ToJsonString() ?? "null";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Sorted)]),
        _ => node?.DeepClone(),
    };
}
