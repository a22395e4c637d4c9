using ConnectIssuer.Http;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Http;

/// <summary>The redirect attack corpus shared by Fivetran and Polytomic: everything but the allowed origins is refused.</summary>
public sealed class RedirectAllowlistTests
{
    private static readonly RedirectAllowlist Allowlist = new(Options.Create(new AllowedOriginsOptions
    {
        Origins = ["https://app.example.com", "http://localhost:5173", "https://Admin.Example.com:8443"],
    }));

    public static TheoryData<string> Allowed =>
    [
        "https://app.example.com/done",
        "https://app.example.com",
        "https://app.example.com/",
        "https://app.example.com:443/done?x=1&y=%2F",
        "https://APP.EXAMPLE.COM/done",
        "HTTPS://app.example.com/done",
        "http://localhost:5173/callback",
        "https://admin.example.com:8443/settings",
        "https://app.example.com/a/b/c?state=abc%20def",
    ];

    public static TheoryData<string> Attacks =>
    [
        "https://evil.example/done",
        "javascript:alert(1)",
        "JavaScript://app.example.com/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/done",
        "//app.example.com/done",
        "/done",
        "done",
        "https://app.example.com@evil.example/",
        "https://user:pass@app.example.com/done",
        "https://app.example.com.evil.example/done",
        "https://evil.example/app.example.com",
        "https://evil.example?https://app.example.com",
        "http://app.example.com/done",
        "https://app.example.com:444/done",
        "https://app.example.com:8443/done",
        "http://localhost:5174/callback",
        "https://localhost:5173/callback",
        "http://127.0.0.1:5173/callback",
        "https://admin.example.com/settings",
        "https://app.example.com/done#fragment",
        "https://app.example.com/done#",
        " https://app.example.com/done",
        "https://app.example.com/done ",
        "https://app.example.com/do ne",
        "https://app.example.com/\tdone",
        "https://app.example.com\n.evil.example/",
        "https:\\\\evil.example\\done",
        "https://app.example.com\\@evil.example/",
        "https:/\\evil.example/",
        "https:evil.example/done",
        "https:/app.example.com/done",
        "https://аpp.example.com/done",
        "https://xn--pp-7ka.example.com/done",
        "https://app.example.com%2F@evil.example/",
        "https://app%2Eexample.com/done",
        "https://app.example.com%00.evil.example/",
        "https://app.example.com./done",
        "ftp://app.example.com/done",
        "file:///etc/passwd",
        "https://",
        "",
        "https://app.example.com/" + new string('a', 2100),
        "https://[::1]:5173/callback",
        "https://0x7f.0.0.1/",
        "https://app.example.com:0443/done\u2028",
    ];

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Check_AllowedOrigin_ReturnsTheUrl(string url)
    {
        var uri = Allowlist.Check(url, "redirectUri");

        Assert.Equal(new Uri(url).AbsoluteUri, uri.AbsoluteUri);
        Assert.Empty(uri.UserInfo);
        Assert.Empty(uri.Fragment);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Check_Attack_IsRefusedWithRedirectNotAllowed(string url)
    {
        var exception = Assert.Throws<ApiProblemException>(() => Allowlist.Check(url, "redirectUri"));

        Assert.Equal(400, exception.Status);
        Assert.Equal(ProblemCodes.RedirectNotAllowed, exception.Code);
        Assert.Contains("redirectUri", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(url.Length > 0 ? url : "\0", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corpus_IsLargeEnough()
    {
        Assert.True(Attacks.Count >= 30, $"only {Attacks.Count} attack cases");
    }
}
