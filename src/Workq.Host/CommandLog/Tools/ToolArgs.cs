using Microsoft.FSharp.Core;
using Workq.Domain;

namespace Workq.Host.CommandLog.Tools;

/// <summary>A subcommand's arguments: one directory and options that each take a value.</summary>
internal sealed class ToolArgs
{
    private readonly Dictionary<string, string> options;

    private ToolArgs(string dir, Dictionary<string, string> options)
    {
        Dir = dir;
        this.options = options;
    }

    public string Dir { get; }

    public static bool WantsHelp(IEnumerable<string> args) => args.Any(a => a is "--help" or "-h");

    /// <summary>Takes <c>--name VALUE</c> or <c>--name=VALUE</c>, before or after the directory.</summary>
    public static ToolArgs Parse(IReadOnlyList<string> args, params string[] allowed)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        string? dir = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg.StartsWith('-') && arg.Length > 1)
            {
                int eq = arg.IndexOf('=');
                string name = eq < 0 ? arg : arg[..eq];
                if (!allowed.Contains(name))
                    throw new UsageException($"unknown option {name}");
                if (options.ContainsKey(name))
                    throw new UsageException($"{name} given twice");
                if (eq >= 0)
                    options[name] = arg[(eq + 1)..];
                else if (i + 1 < args.Count)
                    options[name] = args[++i];
                else
                    throw new UsageException($"{name} needs a value");
            }
            else if (dir is null)
                dir = arg;
            else
                throw new UsageException($"unexpected argument {arg}");
        }
        if (dir is null)
            throw new UsageException("missing DIR");
        if (!Directory.Exists(dir))
            throw new UsageException($"{dir} is not a directory");
        return new ToolArgs(dir, options);
    }

    /// <summary>A time in the protocol's form, parsed by the protocol's own grammar.</summary>
    public long? Time(string name)
    {
        if (!options.TryGetValue(name, out string? text))
            return null;
        FSharpOption<long>? t = Grammar.tryRun(Grammar.time, text);
        return t is { } some ? some.Value : throw new UsageException($"{name}: not a time of the form YYYY-MM-DDTHH:MM:SS[.fff]Z: {text}");
    }

    /// <summary>A job id in canonical form, checked as the protocol checks it.</summary>
    public JobId? Job(string name)
    {
        if (!options.TryGetValue(name, out string? text))
            return null;
        FSharpOption<JobId>? id = JobIdModule.tryParse(text);
        return id is { } some ? some.Value : throw new UsageException($"{name}: not a job id in canonical form: {text}");
    }
}
