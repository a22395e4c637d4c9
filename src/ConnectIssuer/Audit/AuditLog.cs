using System.Security.Cryptography;
using System.Text;

namespace ConnectIssuer.Audit;

/// <summary>The <c>outcome</c> of an audit record that is not a failure; a failure's outcome is its problem <c>code</c>.</summary>
public static class AuditOutcomes
{
    /// <summary>A token or link was issued (the record carries its fingerprint).</summary>
    public const string Issued = "issued";

    /// <summary>Something was looked up for the caller and nothing was issued (the status route).</summary>
    public const string Read = "read";

    /// <summary>The caller's customer's connections were listed (<c>GET /api/connections</c>).</summary>
    public const string Listed = "listed";

    /// <summary>A connection of the caller's customer was deleted at its vendor.</summary>
    public const string Deleted = "deleted";

    /// <summary>The request was cancelled by the caller.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>
/// One structured record per request on an authenticated route: an issuance attempt, or a read such as the status
/// route (outcome <see cref="AuditOutcomes.Read"/>, never <see cref="AuditOutcomes.Issued"/>). It names who asked and
/// what came out, and identifies the issued token only by a SHA-256 fingerprint prefix, so a leaked log cannot be replayed.
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
