using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.IntegrationApp;

/// <summary>
/// HS256/384/512 signing for <see cref="Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler"/> without
/// IdentityModel's minimum key size. The workspace secret is whatever the vendor's console issued, and the
/// vendor's own reference (node <c>jsonwebtoken</c>) signs HS512 with it at any length; refusing a shorter
/// secret would make a correctly configured workspace unusable.
/// </summary>
internal sealed class HmacCryptoProvider : ICryptoProvider
{
    public bool IsSupportedAlgorithm(string algorithm, params object[] args) =>
        args is [SymmetricSecurityKey, ..] && HashFor(algorithm) is not null;

    public object Create(string algorithm, params object[] args) =>
        new HmacSignatureProvider((SymmetricSecurityKey)args[0], algorithm, HashFor(algorithm)!.Value);

    public void Release(object cryptoInstance) => (cryptoInstance as IDisposable)?.Dispose();

    private static HashAlgorithmName? HashFor(string algorithm) => algorithm switch
    {
        SecurityAlgorithms.HmacSha256 => HashAlgorithmName.SHA256,
        SecurityAlgorithms.HmacSha384 => HashAlgorithmName.SHA384,
        SecurityAlgorithms.HmacSha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    private sealed class HmacSignatureProvider(SymmetricSecurityKey key, string algorithm, HashAlgorithmName hash)
        : SignatureProvider(key, algorithm)
    {
        private readonly byte[] _key = key.Key;

        public override byte[] Sign(byte[] input) => Hash(input);

        public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten)
        {
            bytesWritten = hash.Name switch
            {
                "SHA256" => HMACSHA256.HashData(_key, data, destination),
                "SHA384" => HMACSHA384.HashData(_key, data, destination),
                _ => HMACSHA512.HashData(_key, data, destination),
            };
            return true;
        }

        public override byte[] Sign(byte[] input, int offset, int count) => Hash(input.AsSpan(offset, count));

        public override bool Verify(byte[] input, byte[] signature) => CryptographicOperations.FixedTimeEquals(Hash(input), signature);

        public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength) =>
            CryptographicOperations.FixedTimeEquals(Hash(input.AsSpan(inputOffset, inputLength)), signature.AsSpan(signatureOffset, signatureLength));

        protected override void Dispose(bool disposing)
        {
        }

        private byte[] Hash(ReadOnlySpan<byte> input) => hash.Name switch
        {
            "SHA256" => HMACSHA256.HashData(_key, input),
            "SHA384" => HMACSHA384.HashData(_key, input),
            _ => HMACSHA512.HashData(_key, input),
        };
    }
}
