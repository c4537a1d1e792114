using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace Workq.Host.Configuration;

/// <summary>
/// Where the flags' values come from, and reading them: the command line wins over the
/// environment (<c>Workq__Name</c>, then a flag's own variable such as <c>WORKQ_LISTEN</c>),
/// which wins over appsettings.json. Each value is read by its flag's own reader, with no
/// reflection.
/// </summary>
internal static class ServerConfiguration
{
    /// <summary>
    /// Adds the flags' own variables and the command line to the host's sources (appsettings.json
    /// and the environment, added by the host).
    /// </summary>
    public static void AddSources(ConfigurationManager configuration, IReadOnlyDictionary<string, string> commandLine)
    {
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (ServerFlag flag in ServerFlags.All)
        {
            if (flag.Variable is not null && Environment.GetEnvironmentVariable(flag.Variable) is { Length: > 0 } value)
                variables[flag.Key] = value;
        }
        if (variables.Count > 0)
        {
            // Just below the host's environment provider, so Workq__Name wins over them.
            IList<IConfigurationSource> sources = configuration.Sources;
            int at = sources.Count;
            for (int i = 0; i < sources.Count; i++)
            {
                if (sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
                {
                    at = i;
                    break;
                }
            }
            sources.Insert(at, new MemoryConfigurationSource { InitialData = variables });
        }
        // Last: the command line wins.
        configuration.AddInMemoryCollection(commandLine.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)));
    }

    /// <summary>Reads every flag's value; throws <see cref="InvalidSettingException"/> naming the key of a bad one.</summary>
    public static ServerOptions Read(IConfiguration configuration)
    {
        var options = new ServerOptions();
        foreach (ServerFlag flag in ServerFlags.All)
        {
            if (configuration[flag.Key] is { } text && flag.Read(text, options) is { } problem)
                throw new InvalidSettingException($"invalid value \"{text}\" for {flag.Key}: {problem}");
        }
        return options;
    }
}
