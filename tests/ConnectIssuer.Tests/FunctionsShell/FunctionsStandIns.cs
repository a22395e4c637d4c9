// Stand-ins for the three Functions worker types the adapters use, with the real namespaces and
// signatures (Microsoft.Azure.Functions.Worker.Core and .Extensions.Http). The worker packages do not
// restore on these machines, so the adapter source files are compiled into this test assembly against
// these declarations and checked by FunctionsShellTests.
namespace Microsoft.Azure.Functions.Worker;

[AttributeUsage(AttributeTargets.Method)]
public sealed class FunctionAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

[AttributeUsage(AttributeTargets.Parameter)]
public sealed class HttpTriggerAttribute : Attribute
{
    public HttpTriggerAttribute()
        : this(AuthorizationLevel.Function)
    {
    }

    public HttpTriggerAttribute(params string[] methods)
        : this(AuthorizationLevel.Function, methods)
    {
    }

    public HttpTriggerAttribute(AuthorizationLevel authLevel, params string[] methods)
    {
        AuthLevel = authLevel;
        Methods = methods;
    }

    public string? Route { get; set; }

    public string[]? Methods { get; set; }

    public AuthorizationLevel AuthLevel { get; set; }
}

public enum AuthorizationLevel
{
    Anonymous = 0,
    User = 1,
    Function = 2,
    System = 3,
    Admin = 4,
}
