using ConnectIssuer.Polytomic;

namespace ConnectIssuer.Tests.Polytomic;

public sealed class PolytomicConnectionNameTests
{
    private const string Prefix = PolytomicOptions.DefaultNamePrefix;

    [Theory]
    [InlineData("org_42", null, "ci.org_5f42")]
    [InlineData("org_42", "CRM", "ci.org_5f42._43_52_4d")]
    [InlineData("acme", "sales-eu", "ci.acme.sales-eu")]
    [InlineData("acme", "a.b c", "ci.acme.a_2eb_20c")]
    [InlineData("Ünï", "日本", "ci._u00dcn_u00ef._u65e5_u672c")]
    public void For_CustomerAndLabel_IsMarkerEncodedIdSeparatorEncodedLabel(string customerId, string? label, string expected) =>
        Assert.Equal(expected, PolytomicConnectionName.For(Prefix, customerId, label));

    [Theory]
    [InlineData("a.b", "a_2eb")]
    [InlineData("A", "a")]
    [InlineData("org_42", "org_5f42")]
    [InlineData("é", "e\u0301")]
    [InlineData("a", "a ")]
    [InlineData("_u00e9", "é")]
    public void Encode_DifferentIds_NeverCollide(string first, string second)
    {
        Assert.NotEqual(PolytomicConnectionName.Encoding.Encode("", first), PolytomicConnectionName.Encoding.Encode("", second));
        Assert.NotEqual(PolytomicConnectionName.For(Prefix, first, "x"), PolytomicConnectionName.For(Prefix, second, "x"));
    }

    [Fact]
    public void Encode_AnyString_IsLowerCaseWithoutSeparatorAndRoundTrips()
    {
        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var value = new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => (char)(random.Next(2) == 0 ? random.Next(0, 128) : random.Next(0, 0x10000)))]);

            var encoded = PolytomicConnectionName.Encoding.Encode("", value);

            Assert.All(encoded, c => Assert.True(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_', $"unexpected '{c}'"));
            Assert.True(PolytomicConnectionName.Encoding.TryDecode(encoded, out var decoded));
            Assert.Equal(value, decoded);
        }
    }

    [Theory]
    [InlineData("org_42", null)]
    [InlineData("org_42", "CRM")]
    [InlineData("org_42", "Sales & Marketing (EU)")]
    [InlineData("a.b", "ci.x.y")]
    [InlineData("Ünï", "日本 😀")]
    public void BelongsTo_OwnName_IsTrue(string customerId, string? label) =>
        Assert.True(PolytomicConnectionName.BelongsTo(Prefix, PolytomicConnectionName.For(Prefix, customerId, label), customerId));

    [Fact]
    public void BelongsTo_LabelInAnotherNormalizationForm_IsTheSameConnection() =>
        Assert.Equal(PolytomicConnectionName.For(Prefix, "c", "caf\u00e9"), PolytomicConnectionName.For(Prefix, "c", "cafe\u0301"));

    [Theory]
    [InlineData("org_43", null)]
    [InlineData("org_43", "CRM")]
    [InlineData("org_4", "2")]
    [InlineData("org_42.x", null)]
    [InlineData("org_42x", null)]
    [InlineData("ORG_42", null)]
    public void BelongsTo_AnotherCustomersName_IsFalse(string otherCustomerId, string? label) =>
        Assert.False(PolytomicConnectionName.BelongsTo(Prefix, PolytomicConnectionName.For(Prefix, otherCustomerId, label), "org_42"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("org_42")]
    [InlineData("ci.org_42")]
    [InlineData("CI.org_5f42")]
    [InlineData("ci.org_5F42")]
    [InlineData("ci.org_5f42.")]
    [InlineData("ci.org_5f42..x")]
    [InlineData("ci.org_5f42.x.y")]
    [InlineData("ci.org_5f42.X")]
    [InlineData("ci.org_5f42._61")]
    [InlineData("ci.org_5f42._4D")]
    [InlineData("ci.org_5f42._0a")]
    [InlineData("ci.org_5f42._2")]
    [InlineData("ci.org_5f42._zz")]
    [InlineData("ci.org_5f42 ")]
    [InlineData(" ci.org_5f42")]
    [InlineData("ci.org_5f42.crm ")]
    [InlineData("ci.org_5f421")]
    [InlineData("x.ci.org_5f42")]
    [InlineData("ci.org_5f43.ci.org_5f42")]
    public void BelongsTo_CraftedName_IsFalse(string? name) =>
        Assert.False(PolytomicConnectionName.BelongsTo(Prefix, name, "org_42"));

    [Fact]
    public void BelongsTo_LabelCraftedToCarryAnotherCustomersId_IsFalse()
    {
        // The attacker (org_43) picks labels that would spell the victim's name if labels were not encoded.
        foreach (var label in (string[])[".org_42", "ci.org_5f42", "x.ci.org_5f42", "_5f42", "\u0000org_42"])
        {
            var name = PolytomicConnectionName.For(Prefix, "org_43", label);
            Assert.False(PolytomicConnectionName.BelongsTo(Prefix, name, "org_42"));
            Assert.NotEqual(name, PolytomicConnectionName.For(Prefix, "org_42", null));
        }

        // And a customer id that embeds the separator cannot pass for another customer plus a label.
        Assert.NotEqual(PolytomicConnectionName.For(Prefix, "org_42.crm", null), PolytomicConnectionName.For(Prefix, "org_42", "crm"));
        Assert.False(PolytomicConnectionName.BelongsTo(Prefix, PolytomicConnectionName.For(Prefix, "org_42", "crm"), "org_42.crm"));
        Assert.False(PolytomicConnectionName.BelongsTo(Prefix, PolytomicConnectionName.For(Prefix, "org_42.crm", null), "org_42"));
    }

    [Theory]
    [InlineData("ci.", "org_42", null)]
    [InlineData("ci.", "org_42", "CRM")]
    [InlineData("acme-prod.", "a.b", "x.y")]
    [InlineData("s.", "Ünï", "日本 😀")]
    public void TryParse_OwnName_GivesCustomerAndLabelBack(string prefix, string customerId, string? label)
    {
        Assert.True(PolytomicConnectionName.TryParse(prefix, PolytomicConnectionName.For(prefix, customerId, label), out var parsedId, out var parsedLabel));
        Assert.Equal((customerId, label), (parsedId, parsedLabel));
    }

    [Fact]
    public void BelongsTo_AnotherDeploymentsName_IsFalseEvenForTheSameCustomerAndLabel()
    {
        // Two deployments sharing one Polytomic organization, with prefixes whose text overlaps.
        string[] prefixes = ["ci.", "prod.", "staging.", "ci-x.", "ci_x.", "cix.", "c."];
        string?[] labels = [null, "CRM", "x", "ci-x"];
        foreach (var own in prefixes)
        {
            foreach (var other in prefixes.Where(p => p != own))
            {
                foreach (var label in labels)
                {
                    var name = PolytomicConnectionName.For(other, "org_42", label);
                    Assert.False(PolytomicConnectionName.BelongsTo(own, name, "org_42"), $"{own} accepted {name}");
                    Assert.False(PolytomicConnectionName.TryParse(own, name, out _, out _));
                    Assert.NotEqual(name, PolytomicConnectionName.For(own, "org_42", label));
                }
            }
        }
    }

    [Fact]
    public void For_PrefixWithASecondSeparator_IsRefusedBecauseItCouldSpellAnotherDeploymentsCustomerAndLabel()
    {
        // If "ci.x." were a prefix, its customer "victim" would be "ci." customer "x" with label "victim", and each
        // deployment would accept the other's connection as its own.
        var name = PolytomicConnectionName.For(Prefix, "x", "victim");
        Assert.Equal("ci.x.victim", name);
        Assert.True(PolytomicConnectionName.TryParse(Prefix, name, out var id, out var label) && id == "x" && label == "victim");
        Assert.Throws<ArgumentException>(() => PolytomicConnectionName.For("ci.x.", "victim", null));
        Assert.False(PolytomicConnectionName.BelongsTo("ci.x.", name, "victim"));

        // The same holds for every prefix that breaks the rule.
        foreach (var prefix in (string[])["", "ci", "ci-", "CI.", "a b.", "."])
        {
            Assert.Throws<ArgumentException>(() => PolytomicConnectionName.For(prefix, "org_42", null));
            Assert.False(PolytomicConnectionName.TryParse(prefix, prefix + "org_5f42", out _, out _));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(" CRM")]
    [InlineData("CRM ")]
    [InlineData("a\nb")]
    [InlineData("a\u0000b")]
    [InlineData("a\u200bb")]
    [InlineData("a\u2028b")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    public void ValidateLabel_BadLabel_ReturnsMessage(string label) =>
        Assert.NotNull(PolytomicConnectionName.ValidateLabel(label));

    [Fact]
    public void LoneSurrogates_AreEncodedDistinctlyAndRefusedInLabels()
    {
        // Attribute arguments cannot carry lone surrogates (metadata is UTF-8), hence a fact.
        Assert.NotEqual(PolytomicConnectionName.Encoding.Encode("", "\ud800"), PolytomicConnectionName.Encoding.Encode("", "\ufffd"));
        Assert.NotNull(PolytomicConnectionName.ValidateLabel("a\ud800b"));
        Assert.NotNull(PolytomicConnectionName.ValidateLabel("a\udc00"));
        Assert.NotNull(PolytomicConnectionName.ValidateLabel("\udc00\ud800"));
        Assert.Null(PolytomicConnectionName.ValidateLabel("\ud83d\ude00"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("CRM")]
    [InlineData("Sales & Marketing")]
    [InlineData("日本 😀")]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234")]
    public void ValidateLabel_GoodLabel_ReturnsNull(string? label) =>
        Assert.Null(PolytomicConnectionName.ValidateLabel(label));
}
