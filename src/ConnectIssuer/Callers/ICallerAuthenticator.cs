namespace ConnectIssuer.Callers;

/// <summary>Authenticates the caller of a request, one implementation per <see cref="CallerAuthenticationMode"/>.</summary>
public interface ICallerAuthenticator
{
    /// <summary>Returns the caller.</summary>
    /// <exception cref="Http.ApiProblemException">401 when the caller cannot be authenticated.</exception>
    ValueTask<Caller> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken);
}
