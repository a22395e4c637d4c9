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
    // SecurityAlgorithms.HmacSha256/384/512 are the JWS names "HS256"/"HS384"/"HS512" that JwsHmac maps.
    public bool IsSupportedAlgorithm(string algorithm, params object[] args) =>
        args is [SymmetricSecurityKey, ..] && JwsHmac.IsSupported(algorithm);

    public object Create(string algorithm, params object[] args) =>
        new HmacSignatureProvider((SymmetricSecurityKey)args[0], algorithm);

    public void Release(object cryptoInstance) => (cryptoInstance as IDisposable)?.Dispose();

    private sealed class HmacSignatureProvider(SymmetricSecurityKey key, string algorithm)
        : SignatureProvider(key, algorithm)
    {
        private readonly byte[] _key = key.Key;

        public override byte[] Sign(byte[] input) => JwsHmac.Sign(Algorithm, _key, input);

        public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten)
        {
            bytesWritten = JwsHmac.Sign(Algorithm, _key, data, destination);
            return true;
        }

        public override byte[] Sign(byte[] input, int offset, int count) => JwsHmac.Sign(Algorithm, _key, input.AsSpan(offset, count));

        public override bool Verify(byte[] input, byte[] signature) =>
            CryptographicOperations.FixedTimeEquals(JwsHmac.Sign(Algorithm, _key, input), signature);

        public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength) =>
            CryptographicOperations.FixedTimeEquals(
                JwsHmac.Sign(Algorithm, _key, input.AsSpan(inputOffset, inputLength)), signature.AsSpan(signatureOffset, signatureLength));

        protected override void Dispose(bool disposing)
        {
        }
    }
}
