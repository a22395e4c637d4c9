using ConnectIssuer.Vendors;

namespace ConnectIssuer.Http;

/// <summary>The single place that chooses the status and code of a vendor failure.</summary>
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
