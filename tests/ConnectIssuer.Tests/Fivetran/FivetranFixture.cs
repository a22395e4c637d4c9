using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Fivetran;

/// <summary>One OIDC issuer and one default server + simulation per test class, for the tests that need nothing special.</summary>
public sealed class FivetranFixture : IAsyncLifetime
{
    internal FakeOidcIssuer Issuer { get; private set; } = null!;

    internal FivetranTestbed Shared { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Issuer = await FakeOidcIssuer.SharedAsync();
        Shared = await FivetranTestbed.StartAsync(Issuer);
    }

    public async Task DisposeAsync()
    {
        await Shared.DisposeAsync();
    }
}
