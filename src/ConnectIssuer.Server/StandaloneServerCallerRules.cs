using ConnectIssuer.Callers;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Server;

/// <summary>
/// The standalone server's own start-up rule for caller authentication: <c>Auth:Mode=EasyAuth</c> is refused. The core
/// cannot know which host runs it, so the host that knows declares it: this server is never behind App Service
/// Authentication, which is what makes <c>X-MS-CLIENT-PRINCIPAL</c> trustworthy (the Functions app is).
/// </summary>
internal sealed class StandaloneServerCallerRules : IValidateOptions<CallerAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, CallerAuthenticationOptions options) =>
        options.Mode == CallerAuthenticationMode.EasyAuth
            ? ValidateOptionsResult.Fail(
                "Auth:Mode=EasyAuth is refused by the standalone server: only App Service Authentication in front of the Functions app "
                + "sets X-MS-CLIENT-PRINCIPAL, and here anyone could send it. Use Auth:Mode=Oidc.")
            : ValidateOptionsResult.Success;
}
