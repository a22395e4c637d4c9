using System.Diagnostics;
using System.Globalization;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>Every injected vendor fault on every vendor route, answered with its documented code within the deadline.</summary>
[Collection(ReliabilitySuite.Name)]
public sealed class FaultMatrixTests(ReliabilityReport report) : IAsyncLifetime
{
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(1500);
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
                var stopwatch = Stopwatch.StartNew();
                var (response, body) = await _env.SendAsync(HttpExtensions.Post(route.Path, _env.Bearer($"org_fault_{customer++}"), route.ValidBody));
                var elapsed = stopwatch.Elapsed;
                vendor.Fault = VendorFault.None;

                var gotCode = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()
                    : "(not a problem document)";
                var gotRetryAfter = response.Headers.RetryAfter?.Delta;
                var ok = (int)response.StatusCode == status && gotCode == code
                    && elapsed <= ReliabilityEnvironment.VendorTimeout + Margin
                    && (retryAfter ? gotRetryAfter == TimeSpan.FromSeconds(17) : gotRetryAfter is null);
                if (!ok)
                {
                    failures.Add($"{route.Path} {fault}: expected {status} {code}, got {(int)response.StatusCode} {gotCode} (Retry-After {gotRetryAfter}) in {elapsed.TotalMilliseconds:F0} ms");
                }

                report.Add(
                    "2 Vendor fault matrix",
                    ["route", "injected fault", "answer", "Retry-After", "vendor attempts", "time (ms)", "within deadline + 1.5 s"],
                    route.Path, fault.ToString(), $"{(int)response.StatusCode} {gotCode}",
                    gotRetryAfter is { } r ? r.TotalSeconds.ToString(CultureInfo.InvariantCulture) : "-",
                    (vendor.Requests.Count - before).ToString(CultureInfo.InvariantCulture),
                    elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture),
                    elapsed <= ReliabilityEnvironment.VendorTimeout + Margin ? "yes" : "NO");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        _env.AssertNoLeaks(report, "vendor fault matrix");
    }
}
