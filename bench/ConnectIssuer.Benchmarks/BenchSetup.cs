using System.Security.Cryptography;
using ConnectIssuer.IntegrationApp;
using ConnectIssuer.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectIssuer.Benchmarks;

/// <summary>Keys, settings and the project's real objects, built the way the service builds them.</summary>
internal static class BenchSetup
{
    public const string WorkspaceKey = "bench-workspace-key";
    public const string WorkspaceSecret = "bench-workspace-secret-0123456789abcdef0123456789abcdef";
    public const string Issuer = "https://issuer.bench.example";
    public const string Audience = "api://connect-issuer";

    /// <summary>The claims the Integration.app handler builds for a typical caller: id, name and one field.</summary>
    public static Dictionary<string, object> CallerClaims() => new(StringComparer.Ordinal)
    {
        ["id"] = "org_42",
        ["name"] = "Acme Corp",
        ["fields"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["plan"] = "pro" },
    };

    /// <summary>An <see cref="IntegrationAppSigner"/> over a configuration-backed <see cref="SecretStore"/> (<c>Secrets:*</c>).</summary>
    public static IntegrationAppSigner Signer(string algorithm, string? privateKeyPem = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Secrets:{SecretNames.IntegrationAppWorkspaceSecret}"] = WorkspaceSecret,
            [$"Secrets:{SecretNames.IntegrationAppPrivateKey}"] = privateKeyPem,
        }).Build();
        var store = new SecretStore(null, configuration, Options.Create(new KeyVaultOptions()), TimeProvider.System, NullLogger<SecretStore>.Instance);
        var options = Options.Create(new IntegrationAppOptions { WorkspaceKey = WorkspaceKey, Algorithm = algorithm });
        return new IntegrationAppSigner(store, options, TimeProvider.System);
    }

    /// <summary>The signing input (<c>header.payload</c>) of a token: what the floor signs.</summary>
    public static byte[] SigningInput(string token) => System.Text.Encoding.ASCII.GetBytes(token[..token.LastIndexOf('.')]);

    public static RSA NewRsa() => RSA.Create(2048);

    public static ECDsa NewP256() => ECDsa.Create(ECCurve.NamedCurves.nistP256);
}

/// <summary>A Production host environment for the benchmarks that build the real composition.</summary>
internal sealed class BenchHostEnvironment : IHostEnvironment
{
    public string EnvironmentName { get; set; } = Environments.Production;

    public string ApplicationName { get; set; } = "ConnectIssuer.Benchmarks";

    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

    public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } =
        new Microsoft.Extensions.FileProviders.NullFileProvider();
}
