using System.Globalization;
using ConnectIssuer.Tests.Callers;
using ConnectIssuer.Tests.Http;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>The token attack set on every authenticated route, and the redirect attack corpus on both redirect routes.</summary>
[Collection(ReliabilitySuite.Name)]
public sealed class AttackCorpusTests(ReliabilityReport report) : IAsyncLifetime
{
    private ReliabilityEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ReliabilityEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task TokenAttacks_EveryAuthenticatedRoute_Return401()
    {
        var attacks = CallerAuthenticationTests.AttackTokens();
        foreach (var route in Routes.All.Where(r => r.FunctionName != "Health"))
        {
            var path = route.Path.Replace("{connectionId}", "any_connection", StringComparison.Ordinal);
            var sample = ReliabilityRoutes.Post.SingleOrDefault(r => r.Path == path);
            var unauthorized = 0;
            foreach (var (_, create) in attacks)
            {
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + create(_env.Issuer));
                if (sample is not null)
                {
                    request.Content = new StringContent(sample.ValidBody, Encoding.UTF8, "application/json");
                }

                var (response, body) = await _env.SendAsync(request);
                unauthorized += response.StatusCode == HttpStatusCode.Unauthorized
                    && JsonDocument.Parse(body).RootElement.GetProperty("code").GetString() == "unauthenticated" ? 1 : 0;
            }

            report.Add(
                "7 Caller token attacks",
                ["route", "attacks", "401 unauthenticated", "other"],
                $"{route.Method} {route.Path}", attacks.Count.ToString(CultureInfo.InvariantCulture),
                unauthorized.ToString(CultureInfo.InvariantCulture), (attacks.Count - unauthorized).ToString(CultureInfo.InvariantCulture));
            Assert.Equal(attacks.Count, unauthorized);
        }

        Assert.Equal(0, _env.VendorCalls);
        _env.AssertNoLeaks(report, "token attacks");
    }

    [Theory]
    [InlineData("/api/fivetran/connect-card", "redirectUri", "{\"service\":\"salesforce\",\"redirectUri\":")]
    [InlineData("/api/polytomic/connect", "redirectUrl", "{\"types\":[\"salesforce\"],\"redirectUrl\":")]
    public async Task RedirectAttacks_BothRoutes_AreRefusedBeforeAnyVendorCall(string path, string field, string bodyPrefix)
    {
        var attacks = ((IEnumerable<object[]>)RedirectAllowlistTests.Attacks).Select(row => (string)row[0]).ToList();
        var refused = 0;
        var vendorCallsBefore = _env.VendorCalls;
        var customer = 0;
        foreach (var url in attacks)
        {
            var (response, body) = await _env.SendAsync(HttpExtensions.Post(path, _env.Bearer($"org_redirect_{customer++}"), bodyPrefix + JsonSerializer.Serialize(url) + "}"));
            refused += response.StatusCode == HttpStatusCode.BadRequest
                && JsonDocument.Parse(body).RootElement.GetProperty("code").GetString() == "redirect_not_allowed" ? 1 : 0;
        }

        var vendorCalls = _env.VendorCalls - vendorCallsBefore;
        var allowed = await _env.SendAsync(HttpExtensions.Post(path, _env.Bearer("org_redirect_ok"), bodyPrefix + JsonSerializer.Serialize(ReliabilityEnvironment.AllowedOrigin + "/done?x=1") + "}"));
        report.Add(
            "8 Redirect attacks",
            ["route", "field", "attack URLs", "400 redirect_not_allowed", "vendor calls", "allowed origin answered"],
            path, field, attacks.Count.ToString(CultureInfo.InvariantCulture), refused.ToString(CultureInfo.InvariantCulture),
            vendorCalls.ToString(CultureInfo.InvariantCulture), ((int)allowed.Response.StatusCode).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(attacks.Count, refused);
        Assert.Equal(0, vendorCalls);
        Assert.Equal(HttpStatusCode.OK, allowed.Response.StatusCode);
        _env.AssertNoLeaks(report, $"redirect attacks {path}");
    }
}
