using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using ConnectIssuer.Secrets;

namespace ConnectIssuer.Tests.Fakes;

public enum VaultFault
{
    None,
    Forbidden,
    ServerError,
    Hang,
}

/// <summary>
/// The Key Vault secrets endpoint as the real <see cref="SecretClient"/> sees it: the bearer challenge,
/// <c>GET /secrets/{name}[/]</c> with 200 or 404, switchable faults, a hold for concurrency tests, and read counters.
/// </summary>
public sealed class FakeKeyVault : HttpMessageHandler
{
    public const string BearerToken = "fake-vault-access-token";

    /// <summary>Text placed in every error body, so tests can check that vault bodies are not repeated.</summary>
    public const string ErrorBodyMarker = "vault-error-body-marker";

    private const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static int s_instances;

    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);
    private TaskCompletionSource _hold = Released();
    private int _heldReads;
    private int _challenges;

    /// <summary>Gets this vault's URI. Each instance has its own host because the SDK caches bearer challenges per host.</summary>
    public Uri VaultUri { get; } = new($"https://test-vault-{Interlocked.Increment(ref s_instances)}.vault.azure.net/");

    public ConcurrentDictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    public VaultFault Fault { get; set; }

    public int Challenges => Volatile.Read(ref _challenges);

    /// <summary>Gets how many authorized reads are waiting on <see cref="HoldReads"/>.</summary>
    public int HeldReads => Volatile.Read(ref _heldReads);

    public int ReadCount(string name) => _reads.TryGetValue(name, out var count) ? count : 0;

    /// <summary>Makes secret reads wait until <see cref="ReleaseReads"/>.</summary>
    public void HoldReads() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseReads() => _hold.TrySetResult();

    /// <summary>Creates a real <see cref="SecretClient"/> that talks to this fake, with the production client options
    /// except for short retry delays and network timeout (so fault tests stay fast). Tests that hold reads
    /// pass a longer <paramref name="networkTimeout"/>, so a slow machine cannot turn one held read into SDK retries.</summary>
    public SecretClient CreateClient(TimeSpan? networkTimeout = null)
    {
        var options = SecretStoreServiceCollectionExtensions.CreateSecretClientOptions();
        options.Transport = new HttpClientTransport(this);
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(10);
        options.Retry.NetworkTimeout = networkTimeout ?? TimeSpan.FromMilliseconds(200);
        return new SecretClient(VaultUri, new StaticTokenCredential(), options);
    }

    /// <summary>Waits (briefly, in real time) until <paramref name="count"/> reads are held.</summary>
    public async Task WaitForHeldReadsAsync(int count)
    {
        for (var i = 0; i < 500 && HeldReads < count; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(count, HeldReads);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: BearerToken })
        {
            Interlocked.Increment(ref _challenges);
            var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = Error("Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.") };
            challenge.Headers.TryAddWithoutValidation(
                "WWW-Authenticate", $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"https://vault.azure.net\"");
            return challenge;
        }

        var segments = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (request.Method != HttpMethod.Get || segments.Length is < 2 or > 3 || segments[0] != "secrets"
            || !(request.RequestUri.Query.Contains("api-version=", StringComparison.Ordinal)))
        {
            return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = Error("BadParameter", ErrorBodyMarker) };
        }

        var name = segments[1];
        _reads.AddOrUpdate(name, 1, static (_, count) => count + 1);

        Interlocked.Increment(ref _heldReads);
        try
        {
            await _hold.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _heldReads);
        }

        switch (Fault)
        {
            case VaultFault.Forbidden:
                return new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = Error("Forbidden", $"{ErrorBodyMarker}: caller lacks secrets get permission") };
            case VaultFault.ServerError:
                return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = Error("InternalError", ErrorBodyMarker) };
            case VaultFault.Hang:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
        }

        if (!Secrets.TryGetValue(name, out var value))
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = Error("SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault. {ErrorBodyMarker}") };
        }

        var body = new JsonObject
        {
            ["value"] = value,
            ["id"] = $"{VaultUri.AbsoluteUri}secrets/{name}/0123456789abcdef0123456789abcdef",
            ["attributes"] = new JsonObject { ["enabled"] = true },
        };
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = Json(body.ToJsonString()) };
    }

    private static StringContent Error(string code, string message) =>
        Json(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }.ToJsonString());

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource();
        released.SetResult();
        return released;
    }

    /// <summary>Entra ID is a boundary: a fixed token, accepted by <see cref="FakeKeyVault"/>.</summary>
    private sealed class StaticTokenCredential : TokenCredential
    {
        private static readonly AccessToken Token = new(BearerToken, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => Token;

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(Token);
    }
}
