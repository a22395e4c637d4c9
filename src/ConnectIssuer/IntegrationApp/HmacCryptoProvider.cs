using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace ConnectIssuer.IntegrationApp;

/// <summary>
/// HS256/384/512 signing for <see cref="Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler"/> without
/// IdentityModel's minimum key size (it refuses a key shorter than the hash). The workspace secret is whatever the
/// vendor's console issued, its length is not documented, and the vendor's own reference (node <c>jsonwebtoken</c>)
/// signs with it at any length; refusing a shorter secret would make a correctly configured workspace unusable.
/// Used only by the HS* keys of <see cref="IntegrationAppSigner"/>.
/// </summary>
internal sealed class HmacCryptoProvider : ICryptoProvider
{
    public bool IsSupportedAlgorithm(string algorithm, params object[] args) =>
        args is [SymmetricSecurityKey, ..] && algorithm is SecurityAlgorithms.HmacSha256 or SecurityAlgorithms.HmacSha384 or SecurityAlgorithms.HmacSha512;

    public object Create(string algorithm, params object[] args) =>
        new HmacSignatureProvider((SymmetricSecurityKey)args[0], algorithm);

    public void Release(object cryptoInstance) => (cryptoInstance as IDisposable)?.Dispose();

    private sealed class HmacSignatureProvider(SymmetricSecurityKey key, string algorithm)
        : SignatureProvider(key, algorithm)
    {
        private readonly byte[] _key = key.Key;

        public override byte[] Sign(byte[] input) => Hash(input);

        public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten)
        {
            bytesWritten = Hash(data, destination);
            return true;
        }

        public override byte[] Sign(byte[] input, int offset, int count) => Hash(input.AsSpan(offset, count));

        public override bool Verify(byte[] input, byte[] signature) =>
            CryptographicOperations.FixedTimeEquals(Hash(input), signature);

        public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength) =>
            CryptographicOperations.FixedTimeEquals(
                Hash(input.AsSpan(inputOffset, inputLength)), signature.AsSpan(signatureOffset, signatureLength));

        protected override void Dispose(bool disposing)
        {
        }

        private byte[] Hash(ReadOnlySpan<byte> input) => Algorithm switch
        {
            SecurityAlgorithms.HmacSha256 => HMACSHA256.HashData(_key, input),
            SecurityAlgorithms.HmacSha384 => HMACSHA384.HashData(_key, input),
            _ => HMACSHA512.HashData(_key, input),
        };

        private int Hash(ReadOnlySpan<byte> input, Span<byte> destination) => Algorithm switch
        {
            SecurityAlgorithms.HmacSha256 => HMACSHA256.HashData(_key, input, destination),
            SecurityAlgorithms.HmacSha384 => HMACSHA384.HashData(_key, input, destination),
            _ => HMACSHA512.HashData(_key, input, destination),
        };
    }
}
