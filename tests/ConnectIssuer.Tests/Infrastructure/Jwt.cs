using System.Security.Cryptography;

namespace ConnectIssuer.Tests.Infrastructure;

/// <summary>
/// Reads and verifies compact JWS by hand (base64url + System.Security.Cryptography), independently of
/// the IdentityModel code that minted them, so a test cannot pass because both sides share a bug.
/// </summary>
internal static class Jwt
{
    public static (JsonElement Header, JsonElement Payload) Decode(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        return (Parse(parts[0]), Parse(parts[1]));
    }

    public static bool VerifyHmac(string token, HashAlgorithmName hash, byte[] key)
    {
        var (input, signature) = Split(token);
        var expected = hash.Name switch
        {
            "SHA256" => HMACSHA256.HashData(key, input),
            "SHA384" => HMACSHA384.HashData(key, input),
            _ => HMACSHA512.HashData(key, input),
        };
        return CryptographicOperations.FixedTimeEquals(expected, signature);
    }

    public static bool VerifyRsa(string token, RSA publicKey, HashAlgorithmName hash, RSASignaturePadding padding)
    {
        var (input, signature) = Split(token);
        return publicKey.VerifyData(input, signature, hash, padding);
    }

    public static bool VerifyEcdsa(string token, ECDsa publicKey, HashAlgorithmName hash)
    {
        var (input, signature) = Split(token);
        return publicKey.VerifyData(input, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    private static (byte[] Input, byte[] Signature) Split(string token)
    {
        var last = token.LastIndexOf('.');
        return (Encoding.ASCII.GetBytes(token[..last]), FromBase64Url(token[(last + 1)..]));
    }

    private static JsonElement Parse(string segment) => JsonDocument.Parse(FromBase64Url(segment)).RootElement.Clone();
}
