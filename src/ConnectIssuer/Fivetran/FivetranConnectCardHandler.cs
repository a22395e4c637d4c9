using System.Net;
using ConnectIssuer.Callers;
using ConnectIssuer.Http;
using ConnectIssuer.Issuing;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Fivetran;

/// <summary>
/// <c>POST /api/fivetran/connect-card</c>: the Connect Card link for the caller's customer's connection to a service,
/// reusing the connection when it exists and creating it otherwise, with no database. Outcomes: 200 with <c>url</c>,
/// <c>token</c>, <c>connectionId</c>, <c>created</c> (and <c>expiresAt</c> when the token says); 400 <c>invalid_request</c>
/// without a service or a redirect; 400 <c>redirect_not_allowed</c>; 403 for a service not in <c>Fivetran:AllowedServices</c>;
/// 409 when a connection with the customer's schema exists but cannot be used; 503 when not configured; vendor faults per the contract.
/// </summary>
public sealed partial class FivetranConnectCardHandler(
    FivetranClient client,
    KeyedSingleFlight<string, FivetranConnectionLookup> firstCreates,
    IOptions<VendorsOptions> vendors,
    RedirectAllowlist redirects,
    IOptions<FivetranOptions> options,
    ILogger<FivetranConnectCardHandler> logger)
{
    /// <summary>Gets the route as the pipeline runs it.</summary>
    public static IssuingRoute<FivetranConnectCardRequest> Route { get; } =
        new(Routes.FivetranConnectCard, FivetranVendor.Names.RouteKey, FivetranHttpJsonContext.Default.FivetranConnectCardRequest);

    /// <summary>
    /// Services whose naming field is <c>config.schema_prefix</c> rather than <c>config.schema</c> (database connectors,
    /// docs/vendors/fivetran.md). Not exhaustive: a database service missing here is created with <c>config.schema</c>, which
    /// Fivetran refuses (502), so extend the list when such a service is allowed.
    /// </summary>
    private static readonly HashSet<string> SchemaPrefixServices = new(StringComparer.Ordinal)
    {
        "postgres", "postgres_rds", "aurora_postgres", "azure_postgres", "google_cloud_postgresql", "heroku_postgres",
        "mysql", "mysql_rds", "aurora", "azure_mysql", "google_cloud_mysql", "maria", "maria_rds",
        "sql_server", "sql_server_rds", "azure_sql_db", "azure_sql_managed_db", "oracle", "oracle_rds",
    };

    /// <summary>Issues the Connect Card link for the authenticated <paramref name="caller"/>.</summary>
    public async Task<IssueResponse> IssueAsync(Caller caller, FivetranConnectCardRequest? body, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body?.Service))
        {
            throw ApiProblemException.InvalidField("service", "A service is required.");
        }

        var settings = options.Value;
        var groupId = FivetranVendor.RequireGroupId(settings);
        if (settings.AllowedServices.Length == 0)
        {
            throw ApiProblemException.VendorNotConfigured(FivetranClient.Vendor, "the setting Fivetran:AllowedServices");
        }

        var service = body.Service;
        if (!settings.AllowedServices.Contains(service, StringComparer.Ordinal))
        {
            throw ApiProblemException.Forbidden("This service is not in Fivetran:AllowedServices.");
        }

        // The value is sent to Fivetran exactly as checked (no re-serialised Uri), so what passed is what the browser gets.
        var redirectUri = body.RedirectUri ?? (string.IsNullOrEmpty(settings.DefaultRedirectUri) ? null : settings.DefaultRedirectUri)
            ?? throw ApiProblemException.InvalidField("redirectUri", "A redirectUri is required: Fivetran:DefaultRedirectUri is not set.");
        redirects.Check(redirectUri, "redirectUri");

        var schema = FivetranSchemaName.For(settings.EffectiveSchemaPrefix, caller.CustomerId, service);
        var cardConfig = new FivetranConnectCardConfig(redirectUri, settings.HideSetupGuide);
        // Concurrent first requests of this instance for one schema share one look-up-then-create. A joiner waits at
        // most the time a look-up and a create may take (2 x Vendors:Timeout), then goes ahead unshared rather than
        // queueing behind a hanging vendor; across instances the vendor's duplicate answer decides.
        var started = false;
        var lookup = await firstCreates.RunAsync(
            $"{groupId}\n{schema}",
            ct =>
            {
                started = true;
                return FindOrCreateAsync(groupId, service, schema, cardConfig, ct);
            },
            cancellationToken,
            vendors.Value.Timeout * 2);
        if (started && lookup.CreatedLink is { } link)
        {
            return Response(lookup.Connection.Id!, link, created: true);
        }

        var existing = lookup.Connection;
        if (!string.Equals(existing.Service, service, StringComparison.Ordinal))
        {
            // The schema is derived from the service, so this connection was not made by this service for this request.
            throw ApiProblemException.Conflict("A connection with this customer's schema exists for a different service.");
        }

        LogConnectionReused(logger, existing.Id!, service);
        var card = await client.CreateConnectCardAsync(existing.Id!, cardConfig, cancellationToken);
        return Response(existing.Id!, card, created: false);
    }

    /// <summary>The connection with <paramref name="schema"/>: found, or created (then with its first link).</summary>
    private async Task<FivetranConnectionLookup> FindOrCreateAsync(
        string groupId, string service, string schema, FivetranConnectCardConfig cardConfig, CancellationToken cancellationToken)
    {
        var found = await client.FindConnectionAsync(groupId, schema, cancellationToken);
        if (found is not null)
        {
            return new(found, null);
        }

        var created = await TryCreateAsync(groupId, service, schema, cardConfig, cancellationToken);
        if (created.Connection is { } connection)
        {
            LogConnectionCreated(logger, connection.Id!, service);
            var link = connection.ConnectCard is null
                ? await client.CreateConnectCardAsync(connection.Id!, cardConfig, cancellationToken)
                : client.ToLink(connection.ConnectCard, HttpStatusCode.Created);
            return new(connection, link);
        }

        // Another instance (or request) won the create; what it made is the customer's connection.
        found = await client.FindConnectionAsync(groupId, schema, cancellationToken);
        if (found is null)
        {
            LogCreateConflictUnresolved(logger, (int)created.Failure!.StatusCode!.Value, service);
            throw created.Failure.StatusCode == HttpStatusCode.Conflict
                ? ApiProblemException.Conflict("Fivetran reported a conflicting connection that could not be found; retry later.")
                : created.Failure;
        }

        LogCreateConflictResolved(logger, found.Id!, service);
        return new(found, null);
    }

    private async Task<(FivetranConnection? Connection, VendorApiException? Failure)> TryCreateAsync(
        string groupId, string service, string schema, FivetranConnectCardConfig cardConfig, CancellationToken cancellationToken)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SchemaPrefixServices.Contains(service) ? "schema_prefix" : "schema"] = schema,
        };
        try
        {
            return (await client.CreateConnectionAsync(new(groupId, service, false, config, cardConfig), cancellationToken), null);
        }
        catch (VendorApiException exception) when (exception.Failure == VendorFailure.Rejected
            && exception.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
        {
            // Fivetran does not document how it refuses a duplicate schema (docs/vendors/fivetran.md): 409 is the
            // documented conflict status and 400 InvalidInput its usual refusal, so either may mean "it exists now".
            // The look-up that follows decides; if it finds nothing, this failure stands.
            return (null, exception);
        }
    }

    private static IssueResponse Response(string connectionId, FivetranConnectCardLink link, bool created) =>
        new(FivetranVendor.Names.RouteKey) { Url = link.Url, Token = link.Token, ExpiresAt = link.ExpiresAt, ConnectionId = connectionId, Created = created };

    [LoggerMessage(Level = LogLevel.Information, Message = "Fivetran connection {ConnectionId} created for service {Service}")]
    private static partial void LogConnectionCreated(ILogger logger, string connectionId, string service);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fivetran connection {ConnectionId} reused for service {Service}")]
    private static partial void LogConnectionReused(ILogger logger, string connectionId, string service);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fivetran refused a create because connection {ConnectionId} for service {Service} now exists; using it")]
    private static partial void LogCreateConflictResolved(ILogger logger, string connectionId, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fivetran refused a create for service {Service} with HTTP {StatusCode}, and no connection with the schema was found")]
    private static partial void LogCreateConflictUnresolved(ILogger logger, int statusCode, string service);
}

/// <summary>
/// The outcome of one shared look-up-then-create: the customer's connection, and the link made with it when this
/// look-up created it (only the request that started the look-up answers with that link and <c>created: true</c>).
/// </summary>
public sealed record FivetranConnectionLookup(FivetranConnection Connection, FivetranConnectCardLink? CreatedLink);
