using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace Workq.Host.Configuration;

/// <summary>
/// Where the flags' values come from, and reading them. Lowest first: appsettings.json
/// beside the program (where the sample is shipped), appsettings.json in the working
/// directory, a flag's own variable (<c>WORKQ_LISTEN</c>), the environment
/// (<c>Workq__Name</c>), the command line. Each value is read by its flag's own reader,
/// with no reflection.
/// </summary>
internal static class ServerConfiguration
{
    public const string SettingsFile = "appsettings.json";

    /// <summary>Adds every source above, in that order; the last one added wins.</summary>
    public static void AddSources(IConfigurationBuilder configuration, IReadOnlyDictionary<string, string> commandLine)
    {
        string programDir = Path.GetFullPath(AppContext.BaseDirectory);
        string workingDir = Path.GetFullPath(Directory.GetCurrentDirectory());
        AddSettingsFile(configuration, programDir);
        if (!string.Equals(Path.TrimEndingDirectorySeparator(programDir), Path.TrimEndingDirectorySeparator(workingDir), StringComparison.Ordinal))
            AddSettingsFile(configuration, workingDir);

        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (ServerFlag flag in ServerFlags.All)
        {
            if (flag.Variable is not null && Environment.GetEnvironmentVariable(flag.Variable) is { Length: > 0 } value)
                variables[flag.Key] = value;
        }
        configuration.AddInMemoryCollection(variables);
        configuration.AddEnvironmentVariables();
        configuration.AddInMemoryCollection(commandLine.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)));
    }

    /// <summary>Read once at start-up: no file watcher, nothing reloaded.</summary>
    private static void AddSettingsFile(IConfigurationBuilder configuration, string dir) =>
        configuration.AddJsonFile(new PhysicalFileProvider(dir), SettingsFile, optional: true, reloadOnChange: false);

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
