using ConnectIssuer.Vendors;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Vendors;

public sealed class UnverifiedJwtTests
{
    [Theory]
    [InlineData("""{"exp":1893456000}""", 1893456000L)]
    [InlineData("""{"exp":1893456000.25,"userId":"u"}""", 1893456000L)]
    [InlineData("""{"exp":0}""", 0L)]
    // IdentityModel's NumericDate reading (JsonWebToken.ValidTo): to the nearest second, a numeric string, a negative value as the epoch.
    [InlineData("""{"exp":1893456000.75,"userId":"u"}""", 1893456001L)]
    [InlineData("""{"exp":"1893456000"}""", 1893456000L)]
    [InlineData("""{"exp":-1}""", 0L)]
    public void TryReadExpiry_NumericExp_ReturnsIt(string payload, long expected)
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(expected), UnverifiedJwt.TryReadExpiry(Token(payload)));
    }

    [Theory]
    [InlineData("""{"userId":"u"}""")]
    [InlineData("""{"exp":"soon"}""")]
    [InlineData("""{"exp":true}""")]
    [InlineData("""{"exp":1e300}""")]
    [InlineData("""{"exp":99999999999999}""")]
    [InlineData("""[1893456000]""")]
    [InlineData("""not json""")]
    public void TryReadExpiry_NoUsableExp_ReturnsNull(string payload)
    {
        Assert.Null(UnverifiedJwt.TryReadExpiry(Token(payload)));
    }

    [Theory]
    [InlineData("opaque-token")]
    [InlineData("a.b")]
    [InlineData("a..c")]
    [InlineData("a.!!!.c")]
    [InlineData("a.b.c.d")]
    [InlineData("")]
    public void TryReadExpiry_NotAJwt_ReturnsNull(string token)
    {
        Assert.Null(UnverifiedJwt.TryReadExpiry(token));
    }

    private static string Token(string payload) =>
        Jwt.Base64Url("""{"alg":"HS256"}"""u8) + "." + Jwt.Base64Url(Encoding.UTF8.GetBytes(payload)) + ".c2ln";
}
