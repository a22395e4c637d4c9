namespace ConnectIssuer;

/// <summary>
/// The route table, defined once and used by both hosts. Routes are relative to the <c>api</c> prefix
/// (the Functions default <c>routePrefix</c>); the standalone server maps them under <see cref="Prefix"/>.
/// </summary>
public static class Routes
{
    public const string Prefix = "api";

    public const string IntegrationAppToken = "integration-app/token";
    public const string IntegrationAppAdminToken = "integration-app/admin-token";
    public const string AlloyUserToken = "alloy/token";
    public const string FivetranConnectCard = "fivetran/connect-card";
    public const string FivetranConnectionStatus = "fivetran/connections/{connectionId}";
    public const string PolytomicConnect = "polytomic/connect";
    public const string Connections = "connections";
    public const string DeleteConnection = "connections/{vendor}/{connectionId}";
    public const string Health = "health";

    /// <summary>Gets every route of the contract: function name, HTTP method and route.</summary>
    public static IReadOnlyList<RouteDefinition> All { get; } =
    [
        new("IntegrationAppToken", "POST", IntegrationAppToken),
        new("IntegrationAppAdminToken", "POST", IntegrationAppAdminToken),
        new("AlloyUserToken", "POST", AlloyUserToken),
        new("FivetranConnectCard", "POST", FivetranConnectCard),
        new("FivetranConnectionStatus", "GET", FivetranConnectionStatus),
        new("PolytomicConnect", "POST", PolytomicConnect),
        new("ListConnections", "GET", Connections),
        new("DeleteConnection", "DELETE", DeleteConnection),
        new("Health", "GET", Health),
    ];
}

/// <summary>One row of the route table.</summary>
public sealed record RouteDefinition(string FunctionName, string Method, string Route)
{
    /// <summary>Gets the path under the <c>api</c> prefix, as a caller sees it.</summary>
    public string Path => $"/{Routes.Prefix}/{Route}";
}
