namespace ConnectIssuer.Http;

/// <summary>
/// The response headers every answer of the service carries, whichever host runs it. Each host applies them in one place:
/// the Functions worker's middleware to every function's answer, the standalone server's to every response it writes (its
/// own 404/405s, OpenAPI and sample files included). The product code never sets them.
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
