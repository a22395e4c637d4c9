using System.Collections.Concurrent;
using ConnectIssuer.Tests.FunctionsShell;

namespace ConnectIssuer.Tests.Reliability;

[CollectionDefinition(Name)]
public sealed class ReliabilitySuite : ICollectionFixture<ReliabilityReport>
{
    public const string Name = "reliability";
}

/// <summary>
/// Collects the figures the reliability suite produces and, when the collection ends, writes them as
/// markdown to <c>test-artifacts/reliability.md</c> (and to <c>docs/reliability.md</c> when
/// <c>UPDATE_RELIABILITY_REPORT=1</c>). The tables are the suite's own counts, not hand-written numbers.
/// </summary>
public sealed class ReliabilityReport : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string[]>> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _headers = new(StringComparer.Ordinal);

    public void Add(string table, string[] header, params string[] row)
    {
        _headers.TryAdd(table, header);
        _tables.GetOrAdd(table, _ => new()).Enqueue(row);
    }

    public void Dispose()
    {
        if (_tables.IsEmpty)
        {
            return;
        }

        var markdown = Render();
        var root = FunctionsShellTests.RepositoryRoot();
        var artifacts = Directory.CreateDirectory(Path.Combine(root, "test-artifacts"));
        File.WriteAllText(Path.Combine(artifacts.FullName, "reliability.md"), markdown);
        if (Environment.GetEnvironmentVariable("UPDATE_RELIABILITY_REPORT") == "1")
        {
            File.WriteAllText(Path.Combine(root, "docs", "reliability.md"), markdown);
        }
    }

    private string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("# Reliability and security figures");
        text.AppendLine();
        text.AppendLine("Produced by the reliability suite (`tests/ConnectIssuer.Tests/Reliability/`) against the real standalone");
        text.AppendLine("server on loopback, a local OpenID Connect issuer, the vendor simulations with injected faults and a");
        text.AppendLine("fake Key Vault endpoint behind the real `SecretClient`. Every row is counted by the tests; none is typed in.");
        text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"The server runs on a fake clock (`Vendors:Timeout` is {ReliabilityEnvironment.VendorTimeout.TotalSeconds} s on it): times in the fault matrix are on that clock,");
        text.AppendLine("so they state the deadline behaviour, not speed (speed is measured in `bench/`).");
        text.AppendLine();
        text.AppendLine("Reproduce (rewrites this file):");
        text.AppendLine();
        text.AppendLine("```bash");
        text.AppendLine("UPDATE_RELIABILITY_REPORT=1 dotnet test tests/ConnectIssuer.Tests --filter \"FullyQualifiedName~ConnectIssuer.Tests.Reliability\"");
        text.AppendLine("```");
        foreach (var name in _tables.Keys.Order(StringComparer.Ordinal))
        {
            var header = _headers[name];
            text.AppendLine();
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"## {name[(name.IndexOf(' ', StringComparison.Ordinal) + 1)..]}");
            text.AppendLine();
            text.AppendLine("| " + string.Join(" | ", header) + " |");
            text.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", header.Length)));
            foreach (var row in _tables[name].OrderBy(r => string.Join("\u0001", r), StringComparer.Ordinal))
            {
                text.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
            }
        }

        return text.ToString();
    }
}
