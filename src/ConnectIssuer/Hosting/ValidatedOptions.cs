using Microsoft.Extensions.DependencyInjection;

namespace ConnectIssuer.Hosting;

/// <summary>How every settings section is registered: bound from its section, data annotations checked at start-up.</summary>
internal static class ValidatedOptions
{
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
