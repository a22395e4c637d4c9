using System.Text.RegularExpressions;
using ConnectIssuer.Callers;
using ConnectIssuer.Http;
using ConnectIssuer.Issuing;

namespace ConnectIssuer.Polytomic;

/// <summary>
/// <c>POST /api/polytomic/connect</c>: starts a Polytomic Connect session for the caller's customer and
/// returns the link to open (<c>url</c>) and the single-use session id (<c>token</c>).
/// </summary>
/// <remarks>
/// Outcomes beyond the pipeline's: <c>400 invalid_request</c> for a bad <c>types</c>, <c>label</c>,
/// <c>connectionId</c> or <c>Idempotency-Key</c> header, or a missing redirect URL; <c>400 redirect_not_allowed</c>;
/// <c>403 forbidden</c> for a type outside <c>Polytomic:AllowedTypes</c>; <c>404 not_found</c> for a
/// <c>connectionId</c> that does not exist or is not the customer's (one answer for both); <c>409 conflict</c>
/// when the name is taken; <c>503 vendor_not_configured</c> without <c>Polytomic:AllowedTypes</c> or the API key.
/// </remarks>
public sealed partial class PolytomicConnectHandler(
    PolytomicClient client, RedirectAllowlist redirects, IOptions<PolytomicOptions> options, ILogger<PolytomicConnectHandler> logger)
{
    public const int MaxConnectionIdLength = 128;

    /// <summary>Gets the route as the pipeline runs it.</summary>
    public static IssuingRoute<PolytomicConnectRequest> Route { get; } =
        new(Routes.PolytomicConnect, PolytomicVendor.Names.RouteKey, PolytomicRequestJsonContext.Default.PolytomicConnectRequest);

    /// <summary>Starts a session for the authenticated <paramref name="caller"/>; <paramref name="headers"/> may carry an <c>Idempotency-Key</c>.</summary>
    public async Task<IssueResponse> IssueAsync(Caller caller, PolytomicConnectRequest? body, IHeaderDictionary headers, CancellationToken cancellationToken)
    {
        var settings = options.Value;

        // An empty allowlist would otherwise mean "every Polytomic type": fail closed instead.
        var allowedTypes = settings.EffectiveAllowedTypes;
        if (allowedTypes.Length == 0)
        {
            throw ApiProblemException.VendorNotConfigured(PolytomicClient.Vendor, "the setting Polytomic:AllowedTypes");
        }

        var callerKey = PolytomicIdempotencyKey.Read(headers);
        body ??= new PolytomicConnectRequest(null, null, null, null, null);
        var whitelist = Validate(body, allowedTypes);
        var redirectUrl = RedirectUrl(body, settings);

        string name;
        if (body.ConnectionId is { } connectionId)
        {
            // Reconnect: the connection must exist and carry a name this deployment (Polytomic:NamePrefix) derived from
            // this very customer: the name is parsed with the prefix and recomputed. The
            // same 404 for "unknown" and "someone else's", so existence is not revealed. The name is kept
            // as it is (a label in the request does not rename the connection).
            var connection = await client.GetConnectionAsync(connectionId, cancellationToken);
            if (connection is null || !PolytomicConnectionName.BelongsTo(settings.EffectiveNamePrefix, connection.Name, caller.CustomerId))
            {
                LogReconnectRefused(logger, caller.CustomerId, connection is null);
                throw ApiProblemException.NotFound(PolytomicClient.ConnectionNotFound);
            }

            name = connection.Name!;
        }
        else
        {
            name = PolytomicConnectionName.For(settings.EffectiveNamePrefix, caller.CustomerId, body.Label);
        }

        var idempotencyKey = callerKey is null ? null : PolytomicIdempotencyKey.Derive(caller.CustomerId, callerKey);
        var session = await client.StartSessionAsync(
            new PolytomicConnectBody(name, redirectUrl, whitelist, body.ConnectionId, body.Dark), idempotencyKey, cancellationToken);
        return new IssueResponse(Route.Vendor)
        {
            Url = session.Url,
            Token = session.Token,
            ConnectionId = body.ConnectionId,
        };
    }

    /// <summary>Checks the body's fields and returns the whitelist to send: the requested types, or all allowed ones.</summary>
    private static List<string> Validate(PolytomicConnectRequest body, string[] allowedTypes)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (body.Types?.Any(string.IsNullOrEmpty) == true)
        {
            errors["types"] = ["Each type must be a non-empty string."];
        }

        if (PolytomicConnectionName.ValidateLabel(body.Label) is { } labelError)
        {
            errors["label"] = [labelError];
        }

        if (body.ConnectionId is { } id && !ConnectionIdPattern().IsMatch(id))
        {
            errors["connectionId"] = [$"A connection id has 1 to {MaxConnectionIdLength} letters, digits, '-' or '_'."];
        }

        if (errors.Count > 0)
        {
            throw ApiProblemException.InvalidRequest("The request body is invalid.", errors);
        }

        if (body.Types is not { Length: > 0 } types)
        {
            return [.. allowedTypes];
        }

        if (!types.All(t => allowedTypes.Contains(t, StringComparer.Ordinal)))
        {
            throw ApiProblemException.Forbidden("Every type must be one of the types this service allows (Polytomic:AllowedTypes).");
        }

        return [.. types.Select(t => t!).Distinct(StringComparer.Ordinal)];
    }

    private string RedirectUrl(PolytomicConnectRequest body, PolytomicOptions settings)
    {
        if (body.RedirectUrl is { } requested)
        {
            redirects.Check(requested, "redirectUrl");
            return requested;
        }

        if (settings.EffectiveDefaultRedirectUrl is { } fallback)
        {
            redirects.Check(fallback, "Polytomic:DefaultRedirectUrl");
            return fallback;
        }

        throw ApiProblemException.InvalidField("redirectUrl", "A redirect URL is required: this service has no Polytomic:DefaultRedirectUrl.");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionIdPattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polytomic reconnect refused for customer {CustomerId} (connection unknown: {Unknown})")]
    private static partial void LogReconnectRefused(ILogger logger, string customerId, bool unknown);
}
