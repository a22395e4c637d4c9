using ConnectIssuer.Http;
using ConnectIssuer.Polytomic;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace ConnectIssuer.Tests.Polytomic;

public sealed class PolytomicIdempotencyKeyTests
{
    [Fact]
    public void Derive_SameCustomerAndKey_IsStableHexWithinPolytomicsFormat()
    {
        var first = PolytomicIdempotencyKey.Derive("org_42", "retry-1");

        Assert.Equal(first, PolytomicIdempotencyKey.Derive("org_42", "retry-1"));
        Assert.Matches("^[0-9a-f]{64}$", first);
    }

    [Theory]
    [InlineData("org_42", "k", "org_43", "k")]
    [InlineData("org_42", "k", "org_42", "k2")]
    [InlineData("a", "bc", "ab", "c")]
    [InlineData("a:1", "x", "a", "1:x")]
    public void Derive_DifferentCustomerOrKey_Differs(string customerA, string keyA, string customerB, string keyB) =>
        Assert.NotEqual(PolytomicIdempotencyKey.Derive(customerA, keyA), PolytomicIdempotencyKey.Derive(customerB, keyB));

    [Fact]
    public void Read_Absent_ReturnsNull() => Assert.Null(PolytomicIdempotencyKey.Read(new HeaderDictionary()));

    [Fact]
    public void Read_VisibleAscii_ReturnsIt() =>
        Assert.Equal("a!~Z9", PolytomicIdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = "a!~Z9" }));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\t")]
    [InlineData("é")]
    public void Read_Invalid_Throws400(string value)
    {
        var exception = Assert.Throws<ApiProblemException>(() => PolytomicIdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = value }));

        Assert.Equal(400, exception.Status);
        Assert.Equal("invalid_request", exception.Code);
        Assert.NotNull(exception.Errors?["Idempotency-Key"]);
    }

    [Fact]
    public void Read_TooLongOrRepeated_Throws400()
    {
        Assert.Throws<ApiProblemException>(() => PolytomicIdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = new string('k', 256) }));
        Assert.Throws<ApiProblemException>(() => PolytomicIdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = new StringValues(["a", "b"]) }));
        Assert.Equal(255, PolytomicIdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = new string('k', 255) })!.Length);
    }
}
