using System.Net;
using System.Text;

namespace ConnectIssuer.Sandbox;

/// <summary>
/// The state a test or the sandbox seeds a connection in, in vendor-neutral words. Each simulation translates it into its
/// vendor's own fields (see its <c>Seed…</c> method) and refuses a state its vendor cannot express
/// (<see cref="ArgumentOutOfRangeException"/>): Alloy credentials have no state at all, Polytomic documents only
/// <c>healthy</c> and errors, and only Membrane archives.
/// </summary>
public enum SimulatedConnectionState
{
    /// <summary>Set up and working.</summary>
    Healthy,

    /// <summary>The credentials need attention: the customer must reconnect.</summary>
    Broken,

    /// <summary>Created, but the customer has not finished the setup.</summary>
    Pending,

    /// <summary>Set up, but paused (Fivetran: <c>paused: true</c>).</summary>
    Paused,

    /// <summary>Deleted by archiving (Membrane: <c>archivedAt</c> set); left out of listings unless asked for.</summary>
    Archived,
}

/// <summary>
/// The sandbox's control surface of a simulation, outside the vendor's API: <c>GET /_control</c> is a page listing the
/// simulation's connections with a "Mark broken" button each, <c>POST /_control/connections/{id}/break</c> marks one
/// broken (<c>204</c>; a form post from the page is sent back to the page with <c>303</c>; <c>404</c> for an unknown id).
/// Served under the simulation's own path (<c>/sandbox/&lt;vendor&gt;/_control</c>); it needs no vendor credential, like
/// every other sandbox page it exists only in Development.
/// </summary>
internal static class SandboxControl
{
    public static void Map(IEndpointRouteBuilder routes, string vendorTitle, Func<IEnumerable<(string Id, string Description)>> list, Func<string, bool> markBroken)
    {
        routes.MapGet("/_control", (HttpContext context) => Results.Content(Page(context, vendorTitle, list()), "text/html", Encoding.UTF8));
        routes.MapPost("/_control/connections/{id}/break", (HttpContext context, string id) =>
        {
            if (!markBroken(id))
            {
                return Results.NotFound();
            }

            return context.Request.HasFormContentType ? new SeeOther(context.Request.PathBase + "/_control") : Results.NoContent();
        });
    }

    private static string Page(HttpContext context, string vendorTitle, IEnumerable<(string Id, string Description)> connections)
    {
        var rows = new StringBuilder();
        foreach (var (id, description) in connections)
        {
            var action = WebUtility.HtmlEncode($"{context.Request.PathBase}/_control/connections/{Uri.EscapeDataString(id)}/break");
            rows.Append(CultureInvariant($"""
                <li><code>{WebUtility.HtmlEncode(id)}</code> {WebUtility.HtmlEncode(description)}
                  <form method="post" action="{action}" style="display:inline"><button type="submit">Mark broken</button></form></li>
                """));
        }

        var title = WebUtility.HtmlEncode(vendorTitle);
        return $"""
            <!doctype html><html><head><meta charset="utf-8"><title>{title} sandbox control</title></head><body>
            <h1>{title} (sandbox control)</h1>
            <p>Not part of the vendor's API: marks a simulated connection broken, as the vendor would after a credential stops working.</p>
            <ul>{(rows.Length == 0 ? "<li>No connections yet.</li>" : rows.ToString())}</ul>
            </body></html>
            """;
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>303 See Other: after a form post, the browser fetches the page with GET.</summary>
    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
