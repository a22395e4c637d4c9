using ConnectIssuer.Alloy;
using ConnectIssuer.Fivetran;
using ConnectIssuer.Polytomic;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Tests.Vendors;

public sealed class VendorNameEncodingTests
{
    public static TheoryData<string> NotLowerCaseAsciiLiterals => ["ABC", "abc_", "abc.", "abcé", "a b"];

    [Theory]
    [MemberData(nameof(NotLowerCaseAsciiLiterals))]
    public void ALiteralThatIsNotLowerCaseAsciiLetterDigitOrHyphen_IsRefused(string literals)
    {
        // Upper case would meet its lower case at a vendor that ignores case; '_' is the escape; '.' ends the prefix.
        Assert.Throws<ArgumentException>(() => new VendorNameEncoding(literals, NonAsciiEscape.Utf16CodeUnit));
    }

    [Fact]
    public void AMaxLengthBelowOne_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VendorNameEncoding("abc", NonAsciiEscape.Utf16CodeUnit, maxLength: 0));
    }

    [Fact]
    public void EveryVendorEncoding_RoundTripsAnyStringAndNeverEmitsTheSeparatorOrUpperCase()
    {
        VendorNameEncoding[] encodings = [AlloyUsername.Encoding, FivetranSchemaName.Encoding, PolytomicConnectionName.Encoding];
        string[] values = ["", "a", "A", "_", "__", "-", ".", "a_b", "é", "e\u0301", "\ud800", "\udc00", "\udc00\ud800", "\ud83d\ude00", "\u0000", "\uffff"];
        foreach (var encoding in encodings)
        {
            foreach (var value in values)
            {
                // With a length limit the value is framed as {n}_{escaped}.
                var name = encoding.Encode("", value);
                var encoded = encoding.MaxLength is null ? name : name[(name.IndexOf('_', StringComparison.Ordinal) + 1)..];

                Assert.True(encoding.TryDecode(encoded, out var decoded), encoded);
                Assert.Equal(value, decoded);
                Assert.DoesNotContain('.', encoded);
                Assert.All(encoded, c => Assert.False(char.IsAsciiLetterUpper(c), encoded));
            }
        }
    }

    [Theory]
    [InlineData("_2F")] // upper-case hex
    [InlineData("_61")] // an escaped literal
    [InlineData("A")] // outside the alphabet
    [InlineData("a.b")]
    [InlineData("_")] // a cut escape
    [InlineData("_2")]
    [InlineData("_zz")]
    public void TryDecode_NonCanonicalOrForeignText_IsRefusedByEveryEncoding(string encoded)
    {
        Assert.All(
            [AlloyUsername.Encoding, FivetranSchemaName.Encoding, PolytomicConnectionName.Encoding],
            encoding => Assert.False(encoding.TryDecode(encoded, out _), encoded));
    }

    [Theory]
    [InlineData("_c3")] // a cut UTF-8 sequence
    [InlineData("_c1_81")] // overlong 'A'
    [InlineData("_80")] // a lone continuation byte
    [InlineData("_ed_a0_80_ed_b0_80")] // a surrogate pair spelled as two lone surrogates
    [InlineData("_u00e9")] // the other vendors' form
    public void TryDecode_Utf8Bytes_RefusesWhatTheEncodingNeverWrites(string encoded)
    {
        Assert.False(AlloyUsername.Encoding.TryDecode(encoded, out _));
    }

    [Theory]
    [InlineData("_5f", false, true)]
    [InlineData("__", false, false)]
    [InlineData("_5f", true, false)]
    [InlineData("__", true, true)]
    public void TheEscapeCharacter_HasExactlyOneSpellingPerEncoding(string encoded, bool doubled, bool canonical)
    {
        var encoding = new VendorNameEncoding(VendorNameEncoding.LettersAndDigits, NonAsciiEscape.Utf16CodeUnit, doubled);

        Assert.Equal(canonical, encoding.TryDecode(encoded, out var decoded) && decoded == "_");
    }
}
