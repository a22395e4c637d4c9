using System.Text.RegularExpressions;
using ConnectIssuer.Alloy;

namespace ConnectIssuer.Tests.Alloy;

public sealed partial class AlloyUsernameTests
{
    // Ids crafted to collide under a weaker scheme: case folding, percent-decoding, escaping the escape
    // character, replacement of lone surrogates, Unicode normalization and truncation. (Not theory data: xunit
    // serializes that as UTF-8, which would turn the lone surrogates into U+FFFD before the test sees them.)
    private static readonly string[][] LookalikeGroups =
    [
        ["a/b", "a%2Fb", "a%2fb", "A/B", "a_2fb", "a_2Fb", "a-2fb", "a2fb"],
        ["a", "A", "_61", "_41", "%61", "a_", "a__"],
        ["org_42", "org_5f42", "org-42", "ORG_42", "org 42", "org+42", "org.42"],
        ["\u00e9", "e\u0301", "\u00c9", "_c3_a9", "\ufffd"],
        ["\ud800", "\udc00", "\ufffd", "\ud800\udc00", "\udc00\ud800", "\ud83d\ude00", "\ud83d", "\ud800\ud800"],
        [new string('x', 256), new string('x', 255) + "X", new string('x', 255), new string('x', 255) + "_"],
        ["\0", "\t", "0"],
    ];

    [Theory]
    [InlineData("org-42", "org-42")]
    [InlineData("0b6f3c2e-1f2a-4a7b-9c1d-2e3f4a5b6c7d", "0b6f3c2e-1f2a-4a7b-9c1d-2e3f4a5b6c7d")]
    [InlineData("A/b_", "_41_2fb_5f")]
    [InlineData("org_42", "org_5f42")]
    [InlineData("auth0|abc", "auth0_7cabc")]
    [InlineData("\u00e9", "_c3_a9")]
    [InlineData("\ud83d\ude00", "_f0_9f_98_80")]
    public void Encode_KnownIds_GiveDocumentedForm(string customerId, string expected)
    {
        Assert.Equal(expected, AlloyUsername.Encode(customerId));
    }

    [Fact]
    public void Encode_LoneSurrogate_IsWrittenAsItsOwnBytesNotAsReplacement()
    {
        Assert.Equal("_ed_a0_80", AlloyUsername.Encode("\ud800"));
        Assert.Equal("x_ed_b0_80y", AlloyUsername.Encode("x\udc00y"));
        Assert.Equal("_ef_bf_bd", AlloyUsername.Encode("\ufffd"));
    }

    [Fact]
    public void Encode_LookalikeIds_NeverShareAUsernameEvenIgnoringCase()
    {
        foreach (var ids in LookalikeGroups)
        {
            var usernames = ids.Select(AlloyUsername.Encode).ToList();

            Assert.Equal(ids.Length, usernames.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.All(usernames, u => Assert.Matches(Alphabet(), u));
        }

        // Across groups too: every crafted id has its own username.
        var all = LookalikeGroups.SelectMany(g => g).Distinct(StringComparer.Ordinal).ToList();
        Assert.Equal(all.Count, all.Select(AlloyUsername.Encode).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void TryDecode_EncodedIds_RoundTrip()
    {
        foreach (var id in LookalikeGroups.SelectMany(g => g))
        {
            Assert.True(AlloyUsername.TryDecode(AlloyUsername.Encode(id), out var decoded));
            Assert.Equal(id, decoded);
        }
    }

    [Fact]
    public void Encode_RandomIdsOverAWideAlphabet_AreInjectiveAndValid()
    {
        // Deterministic: a fixed seed over characters that stress the scheme.
        var random = new Random(20260101);
        const string alphabet = "aAzZ09-_%/.+@ |é\u0301\ud800\udc00\ud83d\ude00\u00e9\ufffd";
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var n = 0; n < 10_000; n++)
        {
            var id = new string([.. Enumerable.Range(0, random.Next(1, 7)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var username = AlloyUsername.Encode(id);

            Assert.Matches(Alphabet(), username);
            Assert.True(AlloyUsername.TryDecode(username, out var decoded) && decoded == id, $"No round trip for {username}");
            if (seen.TryGetValue(username, out var other))
            {
                Assert.Equal(other, id);
            }

            seen[username] = id;
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("_61")]
    [InlineData("_4")]
    [InlineData("_zz")]
    [InlineData("_2F")]
    [InlineData("A")]
    [InlineData("a.b")]
    [InlineData("_c0_80")]
    [InlineData("_c3")]
    [InlineData("_c3a9")]
    [InlineData("_80")]
    [InlineData("_ed_a0_80_ed_b0_80")]
    public void TryDecode_NotAnEncoding_ReturnsFalse(string value)
    {
        Assert.False(AlloyUsername.TryDecode(value, out var decoded));
        Assert.Equal("", decoded);
    }

    [Fact]
    public void For_Prefix_IsPrependedVerbatim()
    {
        Assert.Equal("ci-prod.a_2fb", AlloyUsername.For("ci-prod.", "a/b"));
        Assert.Equal("a_2fb", AlloyUsername.For("", "a/b"));
    }

    [Fact]
    public void Encode_EmptyId_Throws()
    {
        Assert.Throws<ArgumentException>(() => AlloyUsername.Encode(""));
    }

    [GeneratedRegex("^[a-z0-9_-]+\\z")]
    private static partial Regex Alphabet();
}
