using ConnectIssuer.Callers;
using ConnectIssuer.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectIssuer.IntegrationApp;

/// <summary>
/// <c>POST /api/integration-app/token</c>: a token for the vendor's front-end SDK, for the caller's customer.
/// Claims <c>id</c>, <c>name</c> and <c>fields</c> come from the caller's credential only; the body is ignored.
/// </summary>
public sealed class IntegrationAppTokenHandler(IssuingPipeline pipeline, IntegrationAppSigner signer, IOptions<IntegrationAppOptions> options)
{
    private static readonly IssuingRoute Route = new(Routes.IntegrationAppToken, "integration-app");

    public Task<Results<Ok<IssueResponse>, ProblemHttpResult>> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, Route, IssueAsync, cancellationToken);

    private async Task<IssueResponse> IssueAsync(Caller caller, CancellationToken cancellationToken)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["id"] = caller.CustomerId };
        if (caller.Name is { Length: > 0 } name)
        {
            claims["name"] = name;
        }

        var fields = Fields(caller, options.Value.Fields);
        if (fields.Count > 0)
        {
            claims["fields"] = fields;
        }

        var token = await signer.MintAsync(claims, cancellationToken);
        return new IssueResponse(Route.Vendor) { Token = token.Value, ExpiresAt = token.ExpiresAt, CustomerId = caller.CustomerId };
    }

    private static Dictionary<string, object> Fields(Caller caller, Dictionary<string, string> map)
    {
        var fields = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (field, claim) in map)
        {
            var values = caller.ClaimValues(claim);
            if (values.Count > 0)
            {
                fields[field] = values.Count == 1 ? values[0] : values.ToArray();
            }
        }

        return fields;
    }
}

/// <summary>
/// <c>POST /api/integration-app/admin-token</c>: a workspace-wide token (<c>isAdmin: true</c>, no customer <c>id</c>),
/// for admin callers only.
/// </summary>
public sealed class IntegrationAppAdminTokenHandler(IssuingPipeline pipeline, IntegrationAppSigner signer)
{
    private static readonly IssuingRoute Route = new(Routes.IntegrationAppAdminToken, "integration-app");

    public Task<Results<Ok<IssueResponse>, ProblemHttpResult>> HandleAsync(HttpRequest request, CancellationToken cancellationToken) =>
        pipeline.RunAsync(request, Route, IssueAsync, cancellationToken);

    private async Task<IssueResponse> IssueAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            throw ApiProblemException.Forbidden("An admin token needs the admin role.");
        }

        var token = await signer.MintAsync(new Dictionary<string, object>(StringComparer.Ordinal) { ["isAdmin"] = true }, cancellationToken);
        return new IssueResponse(Route.Vendor) { Token = token.Value, ExpiresAt = token.ExpiresAt };
    }
}
