using System.Globalization;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>A low per-customer limit under a concurrent burst: exactly the permits pass, the rest get 429 with Retry-After.</summary>
[Collection(ReliabilitySuite.Name)]
public sealed class RateLimitTests(ReliabilityReport report)
{
    [Fact]
    public async Task Burst_OverLowLimit_ExactlyPermitsPassRestGet429()
    {
        const int Permits = 5;
        const int Burst = 40;
        await using var env = await ReliabilityEnvironment.StartAsync(permitsPerMinute: Permits);
        var bearer = env.Bearer("org_burst");

        var results = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ =>
            env.SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer))));
        var other = await env.SendAsync(HttpExtensions.Post("/api/integration-app/token", env.Bearer("org_other")));

        var ok = results.Count(r => r.Response.StatusCode == HttpStatusCode.OK);
        var limited = results.Where(r => r.Response.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        report.Add(
            "6 Rate limit under a burst",
            ["permits per minute", "concurrent requests", "200", "429 rate_limited", "429 with Retry-After", "other customer meanwhile"],
            Permits.ToString(CultureInfo.InvariantCulture), Burst.ToString(CultureInfo.InvariantCulture), ok.ToString(CultureInfo.InvariantCulture),
            limited.Count.ToString(CultureInfo.InvariantCulture),
            limited.Count(r => r.Response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }).ToString(CultureInfo.InvariantCulture),
            ((int)other.Response.StatusCode).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Permits, ok);
        Assert.Equal(Burst - Permits, limited.Count);
        Assert.All(limited, r => Assert.NotNull(r.Response.Headers.RetryAfter?.Delta));
        Assert.Equal(HttpStatusCode.OK, other.Response.StatusCode);
        var (logHits, responseHits, minted) = env.ScanForLeaks();
        Assert.Equal(Permits + 1, minted);
        Assert.Equal(0, logHits + responseHits);
    }
}
