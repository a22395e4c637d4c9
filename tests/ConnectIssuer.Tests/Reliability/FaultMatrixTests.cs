using System.Globalization;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>
/// Every injected vendor fault on every vendor route, answered with its documented code within the deadline. Time is the
/// server's fake clock: a hanging vendor is answered exactly at <c>Vendors:Timeout</c>, every other fault before it.
/// </summary>
[Collection(ReliabilitySuite.Name)]
public sealed class FaultMatrixTests(ReliabilityReport report) : IAsyncLifetime
{
    private ReliabilityEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ReliabilityEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    public static TheoryData<VendorFault, int, string, bool> Expectations => new()
    {
        { VendorFault.Status500, 502, "vendor_error", false },
        { VendorFault.Status502, 502, "vendor_error", false },
        { VendorFault.Throttled, 503, "vendor_throttled", true },
        { VendorFault.ThrottledWithoutRetryAfter, 503, "vendor_throttled", false },
        { VendorFault.Unauthorized, 502, "vendor_error", false },
        { VendorFault.Hang, 504, "vendor_timeout", false },
        { VendorFault.SlowBody, 504, "vendor_timeout", false },
        { VendorFault.UnreadableBody, 502, "vendor_error", false },
        { VendorFault.HugeBody, 502, "vendor_error", false },
        { VendorFault.ConnectionReset, 502, "vendor_error", false },
    };

    [Fact]
    public async Task EveryVendorRoute_EveryFault_MapsToDocumentedCodeWithinDeadline()
    {
        var failures = new List<string>();
        var customer = 0;
        foreach (var route in ReliabilityRoutes.Post.Where(r => r.Vendor is not null))
        {
            var vendor = _env.Vendors[route.Vendor!];
            foreach (var row in Expectations)
            {
                var (fault, status, code, retryAfter) = ((VendorFault)row[0], (int)row[1], (string)row[2], (bool)row[3]);
                vendor.Fault = fault;
                var before = vendor.Requests.Count;
                var started = _env.Clock.GetUtcNow();
                var deadline = started + ReliabilityEnvironment.VendorTimeout;
                var sending = _env.SendAsync(HttpExtensions.Post(route.Path, _env.Bearer($"org_fault_{customer++}"), route.ValidBody));
                var earlyAnswer = false;
                if (FaultDeadline.Holds(fault))
                {
                    // The vendor holds the request: no answer may come before the clock reaches the deadline, and one must come then.
                    await Eventually.TrueAsync(() => vendor.Requests.Count > before || sending.IsCompleted, $"{route.Path} {fault}: the vendor gets the request");
                    _env.Clock.Advance(deadline - TimeSpan.FromMilliseconds(1) - _env.Clock.GetUtcNow());
                    earlyAnswer = await Eventually.CompletesWithinLookAsync(sending);
                    _env.Clock.Advance(TimeSpan.FromMilliseconds(1));
                }

                // Every other fault is answered without the deadline: the clock only moves to a wait the server started (the retry delay).
                var (response, body) = await _env.Clock.DriveAsync(sending, deadline);
                var elapsed = _env.Clock.GetUtcNow() - started;
                vendor.Fault = VendorFault.None;

                var gotCode = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()
                    : "(not a problem document)";
                var gotRetryAfter = response.Headers.RetryAfter?.Delta;
                var withinDeadline = elapsed <= ReliabilityEnvironment.VendorTimeout && !earlyAnswer;
                var ok = (int)response.StatusCode == status && gotCode == code && withinDeadline
                    && (retryAfter ? gotRetryAfter == TimeSpan.FromSeconds(17) : gotRetryAfter is null);
                if (!ok)
                {
                    failures.Add($"{route.Path} {fault}: expected {status} {code}, got {(int)response.StatusCode} {gotCode} (Retry-After {gotRetryAfter}) "
                        + $"after {elapsed.TotalMilliseconds:F0} ms on the clock{(earlyAnswer ? ", answered before the deadline" : "")}");
                }

                report.Add(
                    "2 Vendor fault matrix",
                    ["route", "injected fault", "answer", "Retry-After", "vendor attempts", "time on the fake clock (ms)", "within deadline"],
                    route.Path, fault.ToString(), $"{(int)response.StatusCode} {gotCode}",
                    gotRetryAfter is { } r ? r.TotalSeconds.ToString(CultureInfo.InvariantCulture) : "-",
                    (vendor.Requests.Count - before).ToString(CultureInfo.InvariantCulture),
                    elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture),
                    withinDeadline ? "yes" : "NO");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        _env.AssertNoLeaks(report, "vendor fault matrix");
    }
}
