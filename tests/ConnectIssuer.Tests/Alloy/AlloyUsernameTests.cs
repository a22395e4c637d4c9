using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using ConnectIssuer.Alloy;
using ConnectIssuer.Tests.Vendors;
using ConnectIssuer.Vendors;

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
        Assert.Equal(expected, AlloyUsernameReader.Encode(customerId));
    }

    [Fact]
    public void Encode_LoneSurrogate_IsWrittenAsItsOwnBytesNotAsReplacement()
    {
        Assert.Equal("_ed_a0_80", AlloyUsernameReader.Encode("\ud800"));
        Assert.Equal("x_ed_b0_80y", AlloyUsernameReader.Encode("x\udc00y"));
        Assert.Equal("_ef_bf_bd", AlloyUsernameReader.Encode("\ufffd"));
    }

    [Fact]
    public void Encode_LookalikeIds_NeverShareAUsernameEvenIgnoringCase()
    {
        foreach (var ids in LookalikeGroups)
        {
            var usernames = ids.Select(AlloyUsernameReader.Encode).ToList();

            Assert.Equal(ids.Length, usernames.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.All(usernames, u => Assert.Matches(Alphabet(), u));
        }

        // Across groups too: every crafted id has its own username.
        var all = LookalikeGroups.SelectMany(g => g).Distinct(StringComparer.Ordinal).ToList();
        Assert.Equal(all.Count, all.Select(AlloyUsernameReader.Encode).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void TryDecode_EncodedIds_RoundTrip()
    {
        foreach (var id in LookalikeGroups.SelectMany(g => g))
        {
            Assert.True(AlloyUsernameReader.TryDecode(AlloyUsernameReader.Encode(id), out var decoded));
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
            var username = AlloyUsernameReader.Encode(id);

            Assert.Matches(Alphabet(), username);
            Assert.True(AlloyUsernameReader.TryDecode(username, out var decoded) && decoded == id, $"No round trip for {username}");
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
        Assert.False(AlloyUsernameReader.TryDecode(value, out var decoded));
        Assert.Equal("", decoded);
    }

    [Fact]
    public void For_Prefix_IsPrependedVerbatim()
    {
        Assert.Equal("ci-prod.a_2fb", AlloyUsername.For("ci-prod.", "a/b"));
    }

    // Changed deliberately (issue 14, item 8): the empty prefix used to be valid and gave the encoded id alone
    // ("a_2fb"); a prefix must now end with its only '.', so For refuses it like any prefix that breaks the rule.
    [Theory]
    [InlineData("")]
    [InlineData("ci-")]
    [InlineData("acme-prod")]
    [InlineData("ci.x.")]
    [InlineData("CI.")]
    [InlineData(".")]
    [InlineData("a b.")]
    public void For_PrefixBreakingTheRule_Throws(string prefix)
    {
        Assert.False(VendorNamePrefix.IsValid(prefix));
        Assert.Throws<ArgumentException>(() => AlloyUsername.For(prefix, "a/b"));
    }

    [Fact]
    public void For_PrefixesWithoutTheSeparator_WereTheCollisionThatTheRuleRefuses()
    {
        // Under the old rule two deployments, "ci-" and "ci-x-" (one extending the other), shared a username:
        // customer "x-victim" of the first and customer "victim" of the second.
        Assert.Equal("ci-" + AlloyUsernameReader.Encode("x-victim"), "ci-x-" + AlloyUsernameReader.Encode("victim"));

        // Neither prefix is accepted any more, and the start-up check says which setting is wrong.
        foreach (var prefix in (string[])["ci-", "ci-x-"])
        {
            Assert.False(VendorNamePrefix.IsValid(prefix));
            var error = Assert.Single(Validate(new AlloyOptions { UsernamePrefix = prefix }));
            Assert.Contains("Alloy:UsernamePrefix", error.ErrorMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void For_TwoDeployments_NeverShareAUsernameEvenWhenOnePrefixExtendsTheOthersText()
    {
        // Valid prefixes whose text overlaps, and ids crafted to spell the other deployment's prefix and id.
        string[] prefixes = ["ci.", "ci-x.", "ci_x.", "cix.", "c.", "x.", "ci-.", "ci--x."];
        string[] ids = ["victim", "x-victim", "-x-victim", "x.victim", ".victim", "_x.victim", "x_2evictim", "ci-x.victim", "ci.x.victim", "x", "-x", "_x", "X"];

        var owners = new Dictionary<string, (string Prefix, string Id)>(StringComparer.OrdinalIgnoreCase);
        foreach (var prefix in prefixes)
        {
            foreach (var id in ids)
            {
                var username = AlloyUsername.For(prefix, id);
                Assert.True(owners.TryAdd(username, (prefix, id)), $"{prefix}+{id} collides with {owners.GetValueOrDefault(username)}");

                // The prefix is the text up to the first '.', so only the own prefix reads the username back.
                Assert.Equal(prefix.Length - 1, username.IndexOf('.', StringComparison.Ordinal));
                Assert.True(AlloyUsernameReader.TryParse(prefix, username, out var parsed));
                Assert.Equal(id, parsed);
                Assert.All(prefixes.Where(p => p != prefix), other => Assert.False(AlloyUsernameReader.TryParse(other, username, out _)));
            }
        }
    }

    [Theory]
    [InlineData("658c703c524d011f001fe3e4")]
    [InlineData("000000000000000000000000")]
    [InlineData("abcdefabcdefabcdefabcdef")]
    public void For_CustomerIdShapedLikeAnAlloyUserId_NeverGivesThatShape(string userIdLike)
    {
        // The encoding keeps lower-case hex as it is: only the prefix stops the username from being a user id.
        Assert.Equal(userIdLike, AlloyUsernameReader.Encode(userIdLike));

        var username = AlloyUsername.For("ci.", userIdLike);

        Assert.Equal("ci." + userIdLike, username);
        Assert.DoesNotMatch(AlloyUserIdShape(), username);
        Assert.Throws<ArgumentException>(() => AlloyUsername.For("", userIdLike));
    }

    [Fact]
    public void For_AnyValidPrefixAndId_IsNeverShapedLikeAnAlloyUserId()
    {
        var random = new Random(24);
        const string hex = "0123456789abcdef";
        foreach (var prefix in (string[])["a.", "0.", "ci.", "f00."])
        {
            for (var n = 0; n < 500; n++)
            {
                // Ids of hex digits of every length near 24, so prefix + id could add up to 24 characters.
                var id = new string([.. Enumerable.Range(0, random.Next(1, 25)).Select(_ => hex[random.Next(hex.Length)])]);
                Assert.DoesNotMatch(AlloyUserIdShape(), AlloyUsername.For(prefix, id));
            }
        }
    }

    [Fact]
    public void For_EmptyId_Throws()
    {
        Assert.Throws<ArgumentException>(() => AlloyUsername.For("ci.", ""));
    }

    [GeneratedRegex("^[a-z0-9_-]+\\z")]
    private static partial Regex Alphabet();

    [GeneratedRegex("^[0-9a-fA-F]{24}\\z")]
    private static partial Regex AlloyUserIdShape();

    private static List<ValidationResult> Validate(AlloyOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
