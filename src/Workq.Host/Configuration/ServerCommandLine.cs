using System.CommandLine;
using System.CommandLine.Parsing;
using System.Reflection;

namespace Workq.Host.Configuration;

/// <summary>
/// The server's command line, read with System.CommandLine from <see cref="ServerFlags.All"/>:
/// each flag as <c>-name VALUE</c>, <c>-name=VALUE</c>, <c>--name VALUE</c> or
/// <c>--name=VALUE</c> (a switch also alone), the last of a repeated flag winning, as with
/// Go's flag package; and <c>-h</c>/<c>--help</c>, <c>--version</c>. A problem is one line
/// in the words of Go's flag package, which the original server's users know.
/// </summary>
internal sealed class ServerCommandLine
{
    public const int Ok = 0;
    public const int UsageError = 2;

    private static readonly Option<bool> HelpOption = new("--help", "-h", "-help") { Arity = ArgumentArity.Zero };
    private static readonly Option<bool> VersionOption = new("--version", "-version") { Arity = ArgumentArity.Zero };

    private static readonly (ServerFlag Flag, Option<string> Option)[] Flags =
    [
        .. ServerFlags.All.Select(flag => (flag, new Option<string>("-" + flag.Name, "--" + flag.Name)
        {
            Arity = flag.IsSwitch ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
            // Lets a flag be given again (the last one wins) instead of failing.
            AllowMultipleArgumentsPerToken = true,
        })),
    ];

    private static readonly Command Root = CreateRoot();

    // No bundling (-abc is one flag, not -a -b -c) and no response files (@file is a value).
    private static readonly ParserConfiguration Parsing = new() { EnablePosixBundling = false, ResponseFileTokenReplacer = null };

    private ServerCommandLine(IReadOnlyDictionary<string, string> settings, bool wantsHelp, bool wantsVersion, string? problem)
    {
        Settings = settings;
        WantsHelp = wantsHelp;
        WantsVersion = wantsVersion;
        Problem = problem;
    }

    /// <summary>The values given, by configuration key, as text (each checked by its flag).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    public bool WantsHelp { get; }

    public bool WantsVersion { get; }

    /// <summary>What is wrong with the command line, in one line; null if nothing is.</summary>
    public string? Problem { get; }

    /// <summary>The server's version: its assembly's informational version.</summary>
    public static string Version =>
        typeof(ServerCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "unknown";

    public static ServerCommandLine Parse(IReadOnlyList<string> args)
    {
        ParseResult parsed = Root.Parse(args, Parsing);
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? problem = parsed.UnmatchedTokens.Count > 0 ? Unexpected(parsed.UnmatchedTokens[0]) : null;
        foreach ((ServerFlag flag, Option<string> option) in Flags)
        {
            if (Given(parsed, option) is not { } result)
                continue;
            string given = result.IdentifierToken?.Value ?? option.Name;
            if (result.Tokens.Count == 0 && !flag.IsSwitch)
            {
                problem ??= $"flag needs an argument: {given}";
                continue;
            }
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "true";
            if (flag.Check(text) is { } wrong)
                problem ??= $"invalid value \"{text}\" for flag {given}: {wrong}";
            else
                settings[flag.Key] = text;
        }
        // Anything System.CommandLine objects to that the checks above do not name.
        if (problem is null && parsed.Errors.Count > 0)
            problem = parsed.Errors[0].Message;
        return new ServerCommandLine(
            settings, Given(parsed, HelpOption) is not null, Given(parsed, VersionOption) is not null, problem);
    }

    /// <summary>
    /// Prints what the command line asks for instead of a server (the usage, the version or
    /// a problem with the usage) and returns the exit code; null when it asks for a server.
    /// </summary>
    public int? Answer(TextWriter stdout, TextWriter stderr)
    {
        if (WantsHelp)
        {
            stdout.Write(ServerUsage.Text);
            return Ok;
        }
        if (WantsVersion)
        {
            stdout.WriteLine($"workq-server {Version}");
            return Ok;
        }
        if (Problem is not null)
        {
            stderr.WriteLine($"workq-server: {Problem}");
            stderr.Write(ServerUsage.Text);
            return UsageError;
        }
        return null;
    }

    private static Command CreateRoot()
    {
        var root = new Command("workq-server") { HelpOption, VersionOption };
        foreach ((_, Option<string> option) in Flags)
            root.Options.Add(option);
        return root;
    }

    /// <summary>The option's result if it is on the command line (System.CommandLine also makes results for defaults).</summary>
    private static OptionResult? Given(ParseResult parsed, Option option) =>
        parsed.GetResult(option) is { Implicit: false } result ? result : null;

    private static string Unexpected(string token)
    {
        if (token.Length > 1 && token[0] == '-')
        {
            int equals = token.IndexOf('=');
            return $"flag provided but not defined: {(equals < 0 ? token : token[..equals])}";
        }
        return $"unexpected argument: {token}";
    }
}
