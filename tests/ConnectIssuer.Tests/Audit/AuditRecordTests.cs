using ConnectIssuer.Tests.Fivetran;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Audit;

/// <summary>
/// The audit record through the real server: an issuing route records <c>issued</c> with the token's fingerprint;
/// the status route shares the customer's rate limit but is recorded as a <c>read</c>, never as an issuance.
/// </summary>
public sealed class AuditRecordTests : IAsyncLifetime
{
    private FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await FakeOidcIssuer.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task StatusRoute_Success_IsAuditedAsReadNotIssued()
    {
        await using var testbed = await FivetranTestbed.StartAsync(_issuer);
        var card = await (await testbed.ConnectCardAsync("org_audit")).ReadJsonAsync();
        var id = card.GetProperty("connectionId").GetString()!;

        var status = await testbed.StatusAsync("org_audit", id);

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var records = AuditLines(testbed);
        var issued = Assert.Single(records, line => line.Contains("Audit: fivetran/connect-card ", StringComparison.Ordinal));
        Assert.Contains("outcome=issued", issued, StringComparison.Ordinal);
        Assert.DoesNotContain("token_sha256=-", issued, StringComparison.Ordinal);
        var read = Assert.Single(records, line => line.Contains("Audit: fivetran/connections/", StringComparison.Ordinal));
        Assert.Contains("customer=org_audit", read, StringComparison.Ordinal);
        Assert.Contains("outcome=read token_sha256=-", read, StringComparison.Ordinal);
        Assert.Single(records, line => line.Contains("outcome=issued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatusRoute_SharesTheCustomersRateLimit_AndIsNeverAuditedAsIssued()
    {
        await using var testbed = await FivetranTestbed.StartAsync(_issuer, new() { ["RateLimit:PermitsPerMinute"] = "2" });
        var card = await (await testbed.ConnectCardAsync("org_limited")).ReadJsonAsync();
        var id = card.GetProperty("connectionId").GetString()!;

        var first = await testbed.StatusAsync("org_limited", id);
        var second = await testbed.StatusAsync("org_limited", id);
        var issuing = await testbed.ConnectCardAsync("org_limited");
        var otherCustomer = await testbed.StatusAsync("org_other", id);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await second.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(second.Headers.RetryAfter?.Delta);
        await issuing.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        await otherCustomer.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var statusRecords = AuditLines(testbed).Where(line => line.Contains("Audit: fivetran/connections/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, statusRecords.Count);
        Assert.Equal(1, statusRecords.Count(line => line.Contains("outcome=read", StringComparison.Ordinal)));
        Assert.Equal(1, statusRecords.Count(line => line.Contains("outcome=rate_limited", StringComparison.Ordinal)));
        Assert.DoesNotContain(statusRecords, line => line.Contains("outcome=issued", StringComparison.Ordinal));
        testbed.AssertNoLeaks();
    }

    private static List<string> AuditLines(FivetranTestbed testbed) =>
        [.. testbed.Server.Logs.Lines.Where(line => line.Contains("ConnectIssuer.Audit.AuditLog[1000]", StringComparison.Ordinal))];
}
