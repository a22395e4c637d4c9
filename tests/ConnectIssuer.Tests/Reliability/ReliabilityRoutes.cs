namespace ConnectIssuer.Tests.Reliability;

/// <summary>A field of a route's request body and a value of each wrong JSON type for it.</summary>
internal sealed record BodyField(string Name, string Kind, bool Required);

/// <summary>How the reliability suite exercises one POST route: a valid body, its fields, and its vendor.</summary>
internal sealed record IssuingRouteSample(string Path, string ValidBody, IReadOnlyList<BodyField> Fields, string? Vendor, bool NeedsAdmin = false);

internal static class ReliabilityRoutes
{
    public static IReadOnlyList<IssuingRouteSample> Post { get; } =
    [
        new("/api/integration-app/token", "{}", [], null),
        new("/api/integration-app/admin-token", "{}", [], null, NeedsAdmin: true),
        new("/api/alloy/token", "{}", [], "alloy"),
        new(
            "/api/fivetran/connect-card",
            $$"""{"service":"salesforce","redirectUri":"{{ReliabilityEnvironment.AllowedOrigin}}/done"}""",
            [new("service", "string", true), new("redirectUri", "string", false)],
            "fivetran"),
        new(
            "/api/polytomic/connect",
            $$"""{"types":["salesforce"],"label":"CRM","redirectUrl":"{{ReliabilityEnvironment.AllowedOrigin}}/done"}""",
            [new("types", "string[]", false), new("label", "string", false), new("redirectUrl", "string", false), new("connectionId", "string", false), new("dark", "bool", false)],
            "polytomic"),
    ];

    /// <summary>Values of the wrong JSON type for a field of <paramref name="kind"/> (string, string[], bool).</summary>
    public static IEnumerable<(string Name, string Json)> WrongTypes(string kind)
    {
        if (kind != "string")
        {
            yield return ("a string", "\"x\"");
        }

        if (kind != "bool")
        {
            yield return ("true", "true");
        }

        yield return ("a number", "42");
        yield return ("an object", "{\"x\":1}");
        if (kind != "string[]")
        {
            yield return ("an array", "[\"x\"]");
        }
        else
        {
            yield return ("an array of numbers", "[1,2]");
            yield return ("an array of arrays", "[[\"x\"]]");
        }
    }
}
