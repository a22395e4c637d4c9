using ConnectIssuer.Issuing;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Tests.Vendors;

/// <summary>The one mapping from a vendor failure to the contract's problem (status, code, caller-safe detail).</summary>
public sealed class VendorProblemsTests
{
    [Theory]
    [InlineData(VendorFailure.Rejected, 502, "vendor_error")]
    [InlineData(VendorFailure.Unavailable, 502, "vendor_error")]
    [InlineData(VendorFailure.Unreadable, 502, "vendor_error")]
    [InlineData(VendorFailure.Unauthorized, 502, "vendor_error")]
    [InlineData(VendorFailure.Throttled, 503, "vendor_throttled")]
    [InlineData(VendorFailure.Timeout, 504, "vendor_timeout")]
    [InlineData(VendorFailure.NotConfigured, 503, "vendor_not_configured")]
    [InlineData(VendorFailure.NotFound, 404, "not_found")]
    [InlineData(VendorFailure.Conflict, 409, "conflict")]
    public void From_EveryFailureKind_HasOneDocumentedStatusAndCode(VendorFailure failure, int status, string code)
    {
        var problem = VendorProblems.From(new VendorApiException("Acme", failure, HttpStatusCode.BadRequest));

        Assert.Equal((status, code), (problem.Status, problem.Code));
    }

    [Fact]
    public void From_Throttled_CarriesTheVendorsRetryAfter()
    {
        var exception = new VendorApiException("Acme", VendorFailure.Throttled, HttpStatusCode.TooManyRequests) { RetryAfter = TimeSpan.FromSeconds(17) };

        Assert.Equal(TimeSpan.FromSeconds(17), VendorProblems.From(exception).RetryAfter);
    }

    [Fact]
    public void From_CallerFacingKinds_KeepTheClientsDetail()
    {
        Assert.Equal("Acme is not configured: the setting Acme:BaseUrl is missing.", VendorProblems.From(VendorApiException.NotConfigured("Acme", "the setting Acme:BaseUrl")).Message);
        Assert.Equal("No such thing.", VendorProblems.From(VendorApiException.NotFound("Acme", "No such thing.")).Message);
        Assert.Equal("Taken.", VendorProblems.From(VendorApiException.Conflict("Acme", HttpStatusCode.Conflict, "Taken.")).Message);
    }
}
