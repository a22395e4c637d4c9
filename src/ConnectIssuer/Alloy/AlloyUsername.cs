using ConnectIssuer.Vendors;

namespace ConnectIssuer.Alloy;

/// <summary>
/// The Alloy username of a customer: <c>Alloy:UsernamePrefix</c> + the customer id in <see cref="Encoding"/>, so two
/// customer ids never share an Alloy user whatever characters or case they contain.
/// </summary>
/// <remarks>
/// <para>
/// The prefix follows <see cref="VendorNamePrefix"/>: it ends with its only <c>.</c>, a character the encoding
/// never emits. So the prefix of any username is the text up to its first <c>.</c>: the usernames of two deployments
/// never meet, even when one prefix's text starts with the other's, and no username is ever 24 hex characters (the
/// shape of an Alloy user id, which Alloy accepts where a username goes).
/// </para>
/// <para>
/// Customer ids are at most 256 characters, so a username is at most the prefix plus 2,304 characters (and far shorter
/// for ordinary ids).
/// </para>
/// </remarks>
public static class AlloyUsername
{
    /// <summary>
    /// <c>a-z</c>, <c>0-9</c> and <c>-</c> kept (lowercase ids stay readable: <c>org-42</c> → <c>org-42</c>), every other
    /// character as its UTF-8 bytes, each <c>_</c> + two hex digits (<c>A/b_</c> → <c>_41_2fb_5f</c>). The username goes
    /// into a URL path and may be checked by an email-like validator: <c>-</c> is safe in both. UTF-8 bytes (not the
    /// <c>_u</c> form of the other vendors) because that is what these names have always been. No length limit: Alloy
    /// documents none, and truncating or hashing would give up being able to read a username back.
    /// </summary>
    public static VendorNameEncoding Encoding { get; } = new(VendorNameEncoding.LettersAndDigits + "-", NonAsciiEscape.Utf8Bytes);

    /// <summary>Returns <paramref name="prefix"/> followed by the encoded <paramref name="customerId"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> breaks the <see cref="VendorNamePrefix"/> rule, or the id is empty.</exception>
    public static string For(string prefix, string customerId)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (!VendorNamePrefix.IsValid(prefix))
        {
            throw new ArgumentException("The prefix breaks the name prefix rule.", nameof(prefix));
        }

        ArgumentException.ThrowIfNullOrEmpty(customerId);

        return Encoding.Encode(prefix, customerId);
    }
}
