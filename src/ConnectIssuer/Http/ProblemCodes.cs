namespace ConnectIssuer.Http;

/// <summary>The stable, machine-readable <c>code</c> values of the contract's problem responses.</summary>
public static class ProblemCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string RedirectNotAllowed = "redirect_not_allowed";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string RateLimited = "rate_limited";
    public const string VendorError = "vendor_error";
    public const string VendorNotConfigured = "vendor_not_configured";
    public const string VendorThrottled = "vendor_throttled";
    public const string SecretsUnavailable = "secrets_unavailable";
    public const string AuthUnavailable = "auth_unavailable";
    public const string VendorTimeout = "vendor_timeout";
    public const string InternalError = "internal_error";
}
