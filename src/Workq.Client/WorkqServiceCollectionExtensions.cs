using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Workq.Client;

/// <summary>Registers a <see cref="WorkqClient"/>, also as <see cref="IWorkqClient"/>, with Microsoft.Extensions.DependencyInjection.</summary>
public static class WorkqServiceCollectionExtensions
{
    /// <summary>
    /// Registers one shared <see cref="WorkqClient"/> (a singleton, disposed with the
    /// container) with settings bound from <paramref name="configuration"/>, e.g.
    /// <c>configuration.GetSection("Workq")</c> holding <c>Server</c>, <c>ConnectTimeout</c>
    /// and <c>MaxPooledConnections</c>.
    /// </summary>
    public static IServiceCollection AddWorkqClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WorkqClientOptions>().Bind(configuration);
        return services.AddWorkqClientCore();
    }

    /// <summary>
    /// Registers one shared <see cref="WorkqClient"/> (a singleton, disposed with the
    /// container), its settings set by <paramref name="configure"/> (defaults when null).
    /// </summary>
    public static IServiceCollection AddWorkqClient(this IServiceCollection services, Action<WorkqClientOptions>? configure = null)
    {
        OptionsBuilder<WorkqClientOptions> options = services.AddOptions<WorkqClientOptions>();
        if (configure is not null)
            options.Configure(configure);
        return services.AddWorkqClientCore();
    }

    private static IServiceCollection AddWorkqClientCore(this IServiceCollection services)
    {
        // Created by the container from a factory, so the container disposes it.
        services.TryAddSingleton(sp => new WorkqClient(sp.GetRequiredService<IOptions<WorkqClientOptions>>().Value));
        // The same instance behind the interface, unless the application registered its own.
        services.TryAddSingleton<IWorkqClient>(sp => sp.GetRequiredService<WorkqClient>());
        return services;
    }
}
