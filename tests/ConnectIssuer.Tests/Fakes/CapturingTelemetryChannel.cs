using System.Collections.Concurrent;
using Microsoft.ApplicationInsights.Channel;

namespace ConnectIssuer.Tests.Fakes;

/// <summary>Stands in for the ingestion endpoint: keeps what the processor chain hands to the channel.</summary>
public sealed class CapturingTelemetryChannel : ITelemetryChannel
{
    public ConcurrentQueue<ITelemetry> Items { get; } = new();

    public bool? DeveloperMode { get; set; }

    public string EndpointAddress { get; set; } = "http://127.0.0.1:9/";

    public void Send(ITelemetry item) => Items.Enqueue(item);

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
