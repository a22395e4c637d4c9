using System.Security.Cryptography;
using System.Text;

namespace ConnectIssuer.Audit;

/// <summary>
/// One structured record per issuance attempt. It names who asked and what came out, and identifies
/// the issued token only by a SHA-256 fingerprint prefix, so a leaked log cannot be replayed.
/// </summary>
public sealed partial class AuditLog(ILogger<AuditLog> logger)
{
    public void Record(string route, string vendor, string? customerId, string? subject, string outcome, string? issuedToken)
    {
        LogIssuance(logger, route, vendor, customerId ?? "-", subject ?? "-", outcome, issuedToken is null ? "-" : Fingerprint(issuedToken));
    }

    /// <summary>The first 12 hex digits of SHA-256 of the token: enough to correlate, useless to replay.</summary>
    public static string Fingerprint(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetByteCount(token);
        var bytes = length <= 4096 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(token, bytes);
        SHA256.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash[..6]);
    }

    [LoggerMessage(
        EventId = 1000,
        Level = LogLevel.Information,
        Message = "Audit: {Route} {Vendor} customer={CustomerId} subject={Subject} outcome={Outcome} token_sha256={TokenFingerprint}")]
    private static partial void LogIssuance(
        ILogger logger, string route, string vendor, string customerId, string subject, string outcome, string tokenFingerprint);
}
