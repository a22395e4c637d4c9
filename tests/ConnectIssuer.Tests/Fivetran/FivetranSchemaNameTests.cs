using System.Security.Cryptography;
using ConnectIssuer.Fivetran;
using ConnectIssuer.Tests.Vendors;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Tests.Fivetran;

public sealed class FivetranSchemaNameTests
{
    private static readonly string[] Services = ["salesforce", "hubspot", "b_salesforce", "salesforce_sandbox", "google_analytics_4", "s", "1", "_"];

    [Theory]
    [InlineData("org_42", "salesforce", "ci_7_org__42_salesforce")]
    [InlineData("acme", "hubspot", "ci_4_acme_hubspot")]
    [InlineData("Acme", "hubspot", "ci_6__41cme_hubspot")]
    [InlineData("a/b", "salesforce", "ci_5_a_2fb_salesforce")]
    [InlineData("é", "salesforce", "ci_6__u00e9_salesforce")]
    [InlineData("", "salesforce", "ci_0__salesforce")]
    public void For_KnownIds_GiveReadableSchemas(string customerId, string service, string expected)
    {
        Assert.Equal(expected, FivetranSchemaName.For("ci_", customerId, service));
    }

    [Theory]
    [InlineData("a_b", "salesforce", "a", "b_salesforce")]
    [InlineData("a", "b_salesforce", "a_b", "salesforce")]
    [InlineData("org", "salesforce", "Org", "salesforce")]
    [InlineData("org", "salesforce", "ORG", "salesforce")]
    [InlineData("a/b", "salesforce", "a%2Fb", "salesforce")]
    [InlineData("a/b", "salesforce", "a_2fb", "salesforce")]
    [InlineData("a__b", "salesforce", "a_b", "_salesforce")]
    [InlineData("7_org__42", "salesforce", "org_42", "salesforce")]
    [InlineData("1_a", "salesforce", "a", "salesforce")]
    [InlineData("x_1_a", "salesforce", "x", "1_a_salesforce")]
    [InlineData("a", "salesforce", "a ", "salesforce")]
    [InlineData("ä", "salesforce", "a\u0308", "salesforce")]
    public void For_PairsCraftedToCollide_GiveDifferentSchemas(string id1, string service1, string id2, string service2)
    {
        Assert.NotEqual(FivetranSchemaName.For("ci_", id1, service1), FivetranSchemaName.For("ci_", id2, service2));
    }

    [Fact]
    public void For_LoneSurrogates_StayDistinct()
    {
        // Not InlineData: xunit's case serialization would turn lone surrogates into U+FFFD before the test ran.
        string[] ids = ["\uD800", "\uDBFF", "\uDC00", "\uFFFD", "\uD800\uDC00", "\uDC00\uD800"];

        var schemas = ids.Select(id => FivetranSchemaName.For("ci_", id, "salesforce")).ToList();

        Assert.Equal(ids.Length, schemas.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("ci_6__ud800_salesforce", schemas[0]);
    }

    [Fact]
    public void For_AdversarialCorpus_IsInjectiveValidAndParsesBackExactly()
    {
        var ids = AdversarialIds().Concat(RandomIds(1500)).Distinct(StringComparer.Ordinal).ToList();
        var seen = new Dictionary<string, (string Id, string Service)>(StringComparer.Ordinal);

        foreach (var id in ids)
        {
            foreach (var service in Services)
            {
                var schema = FivetranSchemaName.For("ci_", id, service);
                Assert.True(seen.TryAdd(schema, (id, service)), $"'{schema}' from two inputs");
                AssertValidSchema(schema);
                Assert.True(FivetranSchemaReader.TryParse(schema, "ci_", out var parsedId, out var hash, out var parsedService));
                Assert.Equal(service, parsedService);
                if (hash is null)
                {
                    Assert.Equal(id, parsedId);
                    Assert.True(schema.Length <= FivetranSchemaName.MaxLength);
                }
                else
                {
                    Assert.Null(parsedId);
                    Assert.Equal(VendorNameEncoding.HashLength, hash.Length);
                }
            }
        }
    }

    [Fact]
    public void For_LongIds_UseFixedLengthHashThatStillSeparatesCustomers()
    {
        var id = new string('x', 200);
        var schema = FivetranSchemaName.For("ci_", id, "salesforce");

        Assert.Equal("ci_h".Length + VendorNameEncoding.HashLength + "_salesforce".Length, schema.Length);
        Assert.StartsWith("ci_h", schema, StringComparison.Ordinal);
        Assert.Equal(schema, FivetranSchemaName.For("ci_", id, "salesforce"));
        Assert.NotEqual(schema, FivetranSchemaName.For("ci_", id + "y", "salesforce"));
        Assert.NotEqual(schema, FivetranSchemaName.For("ci_", id.ToUpperInvariant(), "salesforce"));
        Assert.NotEqual(schema, FivetranSchemaName.For("ci_", id, "hubspot")[..^"hubspot".Length] + "salesforce" + "x");
        AssertValidSchema(schema);
    }

    [Fact]
    public void For_IdJustAtTheLimit_StaysReadableAndOneMoreCharacterHashes()
    {
        // "ci_" + "NN_" + escaped + "_salesforce" <= 63  ⇔  escaped length <= 46
        var readable = FivetranSchemaName.For("ci_", new string('a', 46), "salesforce");
        var hashed = FivetranSchemaName.For("ci_", new string('a', 47), "salesforce");

        Assert.Equal(63, readable.Length);
        Assert.StartsWith("ci_46_", readable, StringComparison.Ordinal);
        Assert.StartsWith("ci_h", hashed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ci_", true)]
    [InlineData("_", true)]
    [InlineData("acme_prod_2_", true)]
    [InlineData("abcdefghijklmnopqrst", true)]
    [InlineData("abcdefghijklmnopqrstu", false)]
    [InlineData("", false)]
    [InlineData("CI_", false)]
    [InlineData("1ci_", false)]
    [InlineData("ci-", false)]
    [InlineData("ci ", false)]
    [InlineData("çi_", false)]
    public void IsValidPrefix_Cases(string prefix, bool valid)
    {
        Assert.Equal(valid, FivetranSchemaName.IsValidPrefix(prefix));
    }

    private static void AssertValidSchema(string schema)
    {
        Assert.True(
            schema.Length > 0 && (char.IsAsciiLetterLower(schema[0]) || schema[0] == '_')
            && schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'),
            $"'{schema}' is not a valid Fivetran schema name");
    }

    private static IEnumerable<string> AdversarialIds()
    {
        string[] seeds = ["", "a", "A", "_", "__", "a_b", "a__b", "a_2fb", "a/b", "a%2Fb", "a%2fb", "0", "00", "1_a", "7_org__42", "org_42", "h", "hx",
            "_u00e9", "é", "e\u0301", "\uD800", "\uDC00", "\uD83D\uDE00", "\u0000", "\n", " ", "a b", "a-b", "a.b", "a:b", "a\\b", "ORG", "Org", "org",
            "x_h", "46_", new string('_', 30), new string('Z', 40), new string('é', 20)];
        foreach (var seed in seeds)
        {
            yield return seed;
            foreach (var service in Services)
            {
                // Ids that end in what would look like "_" + service, or embed a length and a service.
                yield return seed + "_" + service;
                yield return seed + "__" + service;
                yield return "1_" + seed + "_" + service;
            }
        }
    }

    private static IEnumerable<string> RandomIds(int count)
    {
        const string alphabet = "ab_AB0129-/%. éü\u0301\uD800\uDC00\u00ff";
        for (var i = 0; i < count; i++)
        {
            var length = RandomNumberGenerator.GetInt32(0, 60);
            yield return string.Create(length, 0, (span, _) =>
            {
                for (var j = 0; j < span.Length; j++)
                {
                    span[j] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
                }
            });
        }
    }
}
