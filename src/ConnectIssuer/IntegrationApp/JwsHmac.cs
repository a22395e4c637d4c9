using System.Security.Cryptography;

namespace ConnectIssuer.IntegrationApp;

/// <summary>The HMAC behind a JWS <c>HS256</c>/<c>HS384</c>/<c>HS512</c> algorithm: the one place that maps one to the other.</summary>
internal static class JwsHmac
{
    /// <summary>Returns whether <paramref name="algorithm"/> is one of the HMAC JWS algorithms.</summary>
    public static bool IsSupported(string algorithm) => algorithm is "HS256" or "HS384" or "HS512";

    /// <summary>Returns the signature length of <paramref name="algorithm"/> in bytes.</summary>
    public static int SizeInBytes(string algorithm) => algorithm switch
    {
        "HS256" => HMACSHA256.HashSizeInBytes,
        "HS384" => HMACSHA384.HashSizeInBytes,
        _ => HMACSHA512.HashSizeInBytes,
    };

    /// <summary>Writes the signature of <paramref name="input"/> into <paramref name="destination"/> and returns its length.</summary>
    public static int Sign(string algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> destination) => algorithm switch
    {
        "HS256" => HMACSHA256.HashData(key, input, destination),
        "HS384" => HMACSHA384.HashData(key, input, destination),
        _ => HMACSHA512.HashData(key, input, destination),
    };

    /// <summary>Returns the signature of <paramref name="input"/> as a new array.</summary>
    public static byte[] Sign(string algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> input)
    {
        var signature = new byte[SizeInBytes(algorithm)];
        Sign(algorithm, key, input, signature);
        return signature;
    }
}
