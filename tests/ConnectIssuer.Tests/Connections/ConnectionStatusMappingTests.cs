using ConnectIssuer.Connections;
using ConnectIssuer.Fivetran;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Polytomic;

namespace ConnectIssuer.Tests.Connections;

/// <summary>
/// The contract's status mapping per vendor (contract.md, "Connections"), one row per rule, read from the vendors' wire
/// shapes through the same JSON contexts the clients use. Precedence: broken &gt; pending &gt; paused &gt; connected.
/// </summary>
public sealed class ConnectionStatusMappingTests
{
    public static TheoryData<string, string> FivetranRows => new()
    {
        // setup_state broken, or any task → broken (even when paused or incomplete)
        { """{"setup_state":"broken","sync_state":"scheduled"}""", ConnectionStatuses.Broken },
        { """{"setup_state":"connected","sync_state":"scheduled","tasks":[{"code":"reconnect","message":"Reconnect"}]}""", ConnectionStatuses.Broken },
        { """{"setup_state":"incomplete","sync_state":"paused","tasks":[{"code":"reconnect"}]}""", ConnectionStatuses.Broken },
        // incomplete → pending, ahead of paused
        { """{"setup_state":"incomplete","sync_state":"scheduled"}""", ConnectionStatuses.Pending },
        { """{"setup_state":"incomplete","sync_state":"paused"}""", ConnectionStatuses.Pending },
        // paused: true or sync_state paused → paused
        { """{"setup_state":"connected","sync_state":"paused"}""", ConnectionStatuses.Paused },
        // connected; warnings alone change nothing
        { """{"setup_state":"connected","sync_state":"syncing"}""", ConnectionStatuses.Connected },
        { """{"setup_state":"connected","sync_state":"scheduled","warnings":[{"code":"resync_table_warning","message":"Resync Table Warning"}],"tasks":[]}""", ConnectionStatuses.Connected },
        // no health signal
        { """{"sync_state":"scheduled"}""", ConnectionStatuses.Unknown },
    };

    [Theory]
    [MemberData(nameof(FivetranRows))]
    public void Fivetran_StatusFollowsTheContract(string status, string expected)
    {
        var connection = ReadFivetran($$"""{"id":"c1","service":"salesforce","schema":"s","paused":false,"status":{{status}}}""");

        Assert.Equal(expected, FivetranConnections.StatusOf(connection));
    }

    [Fact]
    public void Fivetran_PausedFlagIsPausedAndCreatedAtIsRead()
    {
        var connection = ReadFivetran("""{"id":"c1","paused":true,"created_at":"2026-11-20T10:00:00.000Z","status":{"setup_state":"connected","sync_state":"scheduled"}}""");

        Assert.Equal(ConnectionStatuses.Paused, FivetranConnections.StatusOf(connection));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), connection.CreatedAt);
    }

    public static TheoryData<string, string> PolytomicRows => new()
    {
        { """{"status":"healthy"}""", ConnectionStatuses.Connected },
        { """{"status":"healthy","status_error":""}""", ConnectionStatuses.Connected },
        { """{"status":"healthy","status_error":"token expired"}""", ConnectionStatuses.Broken },
        { """{"status":"unhealthy"}""", ConnectionStatuses.Broken },
        { """{"status":"error","status_error":"invalid credentials"}""", ConnectionStatuses.Broken },
        { """{"status_error":"invalid credentials"}""", ConnectionStatuses.Broken },
        { """{}""", ConnectionStatuses.Unknown },
    };

    [Theory]
    [MemberData(nameof(PolytomicRows))]
    public void Polytomic_StatusFollowsTheContract(string fields, string expected)
    {
        var body = $$"""{"data":{{Merge("""{"id":"0b5c","name":"ci.org","type":{"id":"hubspot","name":"HubSpot"},"created_at":"2026-11-20T10:00:00Z"}""", fields)}}}""";
        var connection = JsonSerializer.Deserialize(body, PolytomicJsonContext.Default.PolytomicConnectionEnvelope)!.Data!;

        Assert.Equal(expected, PolytomicConnections.StatusOf(connection));
        Assert.Equal("hubspot", connection.Type?.Id);
    }

    public static TheoryData<string, string> MembraneRows => new()
    {
        { """{"disconnected":true,"state":"READY"}""", ConnectionStatuses.Broken },
        { """{"disconnected":true,"state":"BUILDING","clientAction":{"type":"connect"}}""", ConnectionStatuses.Broken },
        { """{"disconnected":false,"state":"BUILDING"}""", ConnectionStatuses.Pending },
        { """{"state":"CLIENT_ACTION_REQUIRED"}""", ConnectionStatuses.Pending },
        { """{"state":"READY","clientAction":{"type":"provide-input","description":"Enter the API key"}}""", ConnectionStatuses.Pending },
        { """{"state":"READY","connected":true,"clientAction":null}""", ConnectionStatuses.Connected },
        { """{"connected":true}""", ConnectionStatuses.Connected },
    };

    [Theory]
    [MemberData(nameof(MembraneRows))]
    public void Membrane_StatusFollowsTheContract(string fields, string expected)
    {
        var connection = ReadMembrane(fields);

        Assert.Equal(expected, IntegrationAppConnections.StatusOf(connection));
    }

    [Theory]
    [InlineData("""{"archivedAt":"2026-11-21T00:00:00.000Z"}""", true)]
    [InlineData("""{"archivedAt":null}""", false)]
    [InlineData("""{}""", false)]
    public void Membrane_ArchivedIsReadFromArchivedAt(string fields, bool archived)
    {
        Assert.Equal(archived, ReadMembrane(fields).IsArchived);
    }

    [Theory]
    [InlineData(ConnectionStatuses.Broken, true)]
    [InlineData(ConnectionStatuses.Pending, true)]
    [InlineData(ConnectionStatuses.Paused, true)]
    [InlineData(ConnectionStatuses.Connected, false)]
    [InlineData(ConnectionStatuses.Unknown, false)]
    public void Detail_IsAFixedSentenceOnlyForBrokenPendingAndPaused(string status, bool hasDetail)
    {
        var connection = Connection.Of("fivetran", "c1", "salesforce", status);

        Assert.Equal(hasDetail, connection.Detail is not null);
        Assert.Equal(ConnectionStatuses.Detail(status), connection.Detail);
    }

    [Fact]
    public void Connection_IsWrittenInTheContractShape()
    {
        var response = new ConnectionsResponse(
            "org_42",
            [
                Connection.Of("fivetran", "speak_inexpensive", "salesforce", ConnectionStatuses.Connected) with
                {
                    CreatedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, 123, TimeSpan.Zero),
                },
                Connection.Of("polytomic", "0b5c", "hubspot", ConnectionStatuses.Broken) with { Label = "CRM" },
            ],
            new Dictionary<string, string> { ["fivetran"] = "ok", ["polytomic"] = "unavailable" });

        var json = JsonSerializer.Serialize(response, ConnectionsJsonContext.Default.ConnectionsResponse);

        Assert.Equal(
            """{"customerId":"org_42","connections":[{"vendor":"fivetran","connectionId":"speak_inexpensive","kind":"salesforce","status":"connected","createdAt":"2026-11-20T10:00:00Z"},"""
            + """{"vendor":"polytomic","connectionId":"0b5c","kind":"hubspot","status":"broken","label":"CRM","detail":"The connection\u0027s credentials need attention: reconnect it."}],"""
            + """ "vendors":{"fivetran":"ok","polytomic":"unavailable"}}""".TrimStart(),
            json);
    }

    /// <summary>The properties of two JSON objects in one object.</summary>
    private static string Merge(string first, string second)
    {
        var merged = System.Text.Json.Nodes.JsonNode.Parse(first)!.AsObject();
        foreach (var (name, value) in System.Text.Json.Nodes.JsonNode.Parse(second)!.AsObject().ToList())
        {
            merged[name] = value?.DeepClone();
        }

        return merged.ToJsonString();
    }

    private static FivetranConnection ReadFivetran(string data) =>
        JsonSerializer.Deserialize($$"""{"code":"Success","data":{{data}}}""", FivetranJsonContext.Default.FivetranEnvelopeFivetranConnection)!.Data!;

    private static MembraneConnection ReadMembrane(string fields)
    {
        var item = Merge(
            """{"id":"6655aa00bb11cc22dd33ee44","name":"My HubSpot","userId":"u1","integrationId":"i1","createdAt":"2026-11-20T10:00:00.000Z","updatedAt":"2026-11-20T10:00:00.000Z"}""",
            fields);
        return Assert.Single(JsonSerializer.Deserialize($$"""{"items":[{{item}}]}""", MembraneJsonContext.Default.MembraneConnectionPage)!.Items!);
    }
}
