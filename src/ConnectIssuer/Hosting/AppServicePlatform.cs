namespace ConnectIssuer.Hosting;

/// <summary>
/// What Azure App Service (and Azure Functions, which runs on it) says about this process, read from the
/// <b>process environment</b> only: <c>WEBSITE_INSTANCE_ID</c> or <c>WEBSITE_SITE_NAME</c> mean "running on the
/// platform", <c>WEBSITE_AUTH_ENABLED</c> means App Service Authentication is on. Never from
/// <see cref="Microsoft.Extensions.Configuration.IConfiguration"/>: a settings file, <c>local.settings.json</c> or any
/// other configuration source could otherwise claim (or deny) a platform fact.
/// </summary>
/// <remarks>
/// The one place these variables are read. Tests construct it with a dictionary instead of the real
/// environment, so they never change the (shared, parallel) test process's environment.
/// </remarks>
public sealed class AppServicePlatform
{
    public const string InstanceIdVariable = "WEBSITE_INSTANCE_ID";
    public const string SiteNameVariable = "WEBSITE_SITE_NAME";
    public const string AuthEnabledVariable = "WEBSITE_AUTH_ENABLED";

    /// <summary>Reads the given source of environment variables (the process's: <see cref="Environment.GetEnvironmentVariable(string)"/>).</summary>
    public AppServicePlatform(Func<string, string?> environmentVariable)
    {
        ArgumentNullException.ThrowIfNull(environmentVariable);
        IsAppService = !string.IsNullOrEmpty(environmentVariable(InstanceIdVariable))
            || !string.IsNullOrEmpty(environmentVariable(SiteNameVariable));
        AuthenticationEnabled = IsAppService
            && string.Equals(environmentVariable(AuthEnabledVariable), "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Gets the platform facts of this process.</summary>
    public static AppServicePlatform FromProcess() => new(Environment.GetEnvironmentVariable);

    /// <summary>Gets whether this process runs on App Service or Azure Functions (whatever the environment name says).</summary>
    public bool IsAppService { get; }

    /// <summary>
    /// Gets whether App Service Authentication is on, so <c>X-MS-CLIENT-PRINCIPAL</c> comes from the platform. Never true
    /// off the platform: elsewhere nothing strips a forged header.
    /// </summary>
    public bool AuthenticationEnabled { get; }
}
