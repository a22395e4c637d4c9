namespace ConnectIssuer.Http;

/// <summary>
/// A failure that has a documented problem response. Handlers throw it; the issuing pipeline is the
/// one place that turns it into <c>application/problem+json</c>. The message is safe to return: it is
/// written by this service and never contains a secret, a token or a vendor's body.
/// </summary>
public sealed class ApiProblemException(int status, string code, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    /// <summary>Gets the per-field messages of a <c>400 invalid_request</c>.</summary>
    public IDictionary<string, string[]>? Errors { get; init; }

    /// <summary>Gets the delay sent as <c>Retry-After</c>, when there is one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets the <c>error</c> parameter of <c>WWW-Authenticate: Bearer</c> for a 401.</summary>
    public string? BearerError { get; init; }

    public static ApiProblemException InvalidRequest(string detail, IDictionary<string, string[]>? errors = null) =>
        new(StatusCodes.Status400BadRequest, ProblemCodes.InvalidRequest, detail) { Errors = errors };

    public static ApiProblemException InvalidField(string field, string message) =>
        InvalidRequest("The request body is invalid.", new Dictionary<string, string[]> { [field] = [message] });

    public static ApiProblemException RedirectNotAllowed(string detail) =>
        new(StatusCodes.Status400BadRequest, ProblemCodes.RedirectNotAllowed, detail);

    public static ApiProblemException Unauthenticated(string detail, string bearerError = "invalid_token") =>
        new(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthenticated, detail) { BearerError = bearerError };

    public static ApiProblemException Forbidden(string detail) =>
        new(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, detail);

    public static ApiProblemException NotFound(string detail) =>
        new(StatusCodes.Status404NotFound, ProblemCodes.NotFound, detail);

    public static ApiProblemException Conflict(string detail) =>
        new(StatusCodes.Status409Conflict, ProblemCodes.Conflict, detail);

    public static ApiProblemException VendorNotConfigured(string vendor, string missing) =>
        new(StatusCodes.Status503ServiceUnavailable, ProblemCodes.VendorNotConfigured, $"{vendor} is not configured: {missing} is missing.");
}
