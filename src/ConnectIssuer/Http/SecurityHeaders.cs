namespace ConnectIssuer.Http;

/// <summary>
/// The response headers every answer of the service carries, whichever host runs it. The issuing pipeline and the health
/// handler apply them (so the Functions worker's answers have them); the standalone server applies them to every response
/// it writes, its own 404/405s, OpenAPI and sample files included.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>Sets <c>X-Content-Type-Options: nosniff</c>: a browser must not read a JSON or problem body as anything else.</summary>
    public static void Apply(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.XContentTypeOptions = "nosniff";
    }
}
