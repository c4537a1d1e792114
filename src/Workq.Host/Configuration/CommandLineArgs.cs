namespace Workq.Host.Configuration;

/// <summary>Accepts the original server's Go-style flags alongside .NET's.</summary>
internal static class CommandLineArgs
{
    /// <summary>Maps command-line switches to configuration keys.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["-listen"] = "Workq:Listen",
        ["--listen"] = "Workq:Listen",
        ["--cmdlog-path"] = "Workq:CmdlogPath",
        ["--cmdlog-sync"] = "Workq:CmdlogSync",
        ["--cmdlog-sync-int"] = "Workq:CmdlogSyncInt",
        ["--cmdlog-seg-size"] = "Workq:CmdlogSegSize",
        ["--cmdlog-clean-int"] = "Workq:CmdlogCleanInt",
        ["--cmdlog-repair"] = "Workq:CmdlogRepair",
    };

    /// <summary>Switches that, as in Go, stand alone to mean true.</summary>
    private static readonly HashSet<string> BooleanSwitches = new(StringComparer.Ordinal) { "--cmdlog-repair" };

    /// <summary>
    /// Rewrites <c>-name</c> and <c>-name=value</c> to <c>--name...</c>: Go's flag package
    /// takes both, while .NET's command-line provider throws on an unmapped <c>-name=value</c>.
    /// A lone boolean switch becomes <c>--name=true</c>.
    /// </summary>
    public static string[] Normalize(string[] args) =>
        args.Select(a => a.Length > 2 && a[0] == '-' && a[1] != '-' && char.IsLetter(a[1]) ? "-" + a : a)
            .Select(a => BooleanSwitches.Contains(a) ? a + "=true" : a)
            .ToArray();
}
