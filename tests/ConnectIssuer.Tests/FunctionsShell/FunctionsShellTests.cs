using System.Reflection;
using ConnectIssuer.Issuing;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Tests.FunctionsShell;

/// <summary>
/// The Functions adapters and the standalone server's endpoints must both serve exactly <see cref="Routes.All"/>: same function names, methods and routes.
/// </summary>
public sealed class FunctionsShellTests
{
    private static readonly Type[] AdapterTypes = [.. typeof(ConnectIssuer.Functions.HealthFunction).Assembly.GetTypes()
        .Where(t => t.Namespace == "ConnectIssuer.Functions" && t.IsClass && !t.IsNested && t.Name.EndsWith("Function", StringComparison.Ordinal))];

    public static TheoryData<string> AdapterNames => [.. AdapterTypes.Select(t => t.Name)];

    [Fact]
    public void Adapters_CoverTheRouteTableExactly()
    {
        var adapters = AdapterTypes.Select(Describe).OrderBy(a => a.FunctionName, StringComparer.Ordinal).ToList();
        var table = Routes.All.OrderBy(r => r.FunctionName, StringComparer.Ordinal).ToList();

        Assert.Equal(table, adapters);
    }

    [Theory]
    [MemberData(nameof(AdapterNames))]
    public void Adapter_IsAOneLineForwardWithAnonymousTrigger(string typeName)
    {
        var type = AdapterTypes.Single(t => t.Name == typeName);
        var method = Assert.Single(type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly));

        Assert.True(type.IsSealed && type.IsPublic);
        Assert.Equal("RunAsync", method.Name);
        Assert.EndsWith("Function", type.Name, StringComparison.Ordinal);
        Assert.Equal(method.GetCustomAttribute<FunctionAttribute>()!.Name + "Function", type.Name);
        var trigger = Assert.Single(method.GetParameters(), p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null)
            .GetCustomAttribute<HttpTriggerAttribute>()!;
        Assert.Equal(AuthorizationLevel.Anonymous, trigger.AuthLevel);
        Assert.Equal(typeof(CancellationToken), method.GetParameters()[^1].ParameterType);
        Assert.True(typeof(Task).IsAssignableFrom(method.ReturnType));
        // Constructor: the handler it forwards to, after the pipeline that runs the handler (health has no pipeline).
        var services = Assert.Single(type.GetConstructors()).GetParameters().Select(p => p.ParameterType).ToArray();
        Assert.EndsWith("Handler", services[^1].Name, StringComparison.Ordinal);
        Assert.Equal(typeName == nameof(ConnectIssuer.Functions.HealthFunction) ? [] : [typeof(IssuingPipeline)], services[..^1]);
    }

    [Fact]
    public async Task Server_MapsTheRouteTableExactly()
    {
        await using var server = await TestApp.StartServerAsync(new Dictionary<string, string?> { ["Auth:Mode"] = "Development" }, "Development");
        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/" + Routes.Prefix + "/", StringComparison.Ordinal) == true)
            .Select(e => new RouteDefinition(
                e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "",
                Assert.Single(e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods),
                e.RoutePattern.RawText![(Routes.Prefix.Length + 2)..]))
            .OrderBy(r => r.FunctionName, StringComparer.Ordinal)
            .ToList();

        Assert.Equal(Routes.All.OrderBy(r => r.FunctionName, StringComparer.Ordinal), endpoints);
    }

    [Fact]
    public void ServerProgram_IsUnderTwentyLines()
    {
        var root = RepositoryRoot();
        Assert.True(File.ReadAllLines(Path.Combine(root, "src/ConnectIssuer.Server/Program.cs")).Length < 20);
        Assert.True(File.ReadAllLines(Path.Combine(root, "src/ConnectIssuer.Functions/Program.cs")).Length < 20);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Functions.sln not found above the test output.");
    }

    private static RouteDefinition Describe(Type type)
    {
        var method = type.GetMethod("RunAsync")!;
        var function = method.GetCustomAttribute<FunctionAttribute>()!;
        var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).Single(a => a is not null)!;
        return new RouteDefinition(function.Name, Assert.Single(trigger.Methods!).ToUpperInvariant(), trigger.Route!);
    }
}
