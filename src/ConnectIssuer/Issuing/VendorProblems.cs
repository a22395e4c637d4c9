using ConnectIssuer.Http;
using ConnectIssuer.Vendors;

namespace ConnectIssuer.Issuing;

/// <summary>
/// The single place that chooses the status and code of a vendor failure. It lives with the pipeline, not in Http:
/// Vendors uses Http's shared pieces (e.g. Loopback), so Http must not depend on Vendors.
/// </summary>
public static class VendorProblems
{
    public static ApiProblemException From(VendorApiException exception) => exception.Failure switch
    {
        VendorFailure.Throttled => new(StatusCodes.Status503ServiceUnavailable, ProblemCodes.VendorThrottled, exception.Message)
        {
            RetryAfter = exception.RetryAfter,
        },
        VendorFailure.Timeout => new(StatusCodes.Status504GatewayTimeout, ProblemCodes.VendorTimeout, exception.Message),
        VendorFailure.NotConfigured => new(StatusCodes.Status503ServiceUnavailable, ProblemCodes.VendorNotConfigured, exception.Message),
        VendorFailure.NotFound => ApiProblemException.NotFound(exception.Message),
        VendorFailure.Conflict => ApiProblemException.Conflict(exception.Message),
        _ => new(StatusCodes.Status502BadGateway, ProblemCodes.VendorError, exception.Message),
    };
}
