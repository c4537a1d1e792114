namespace Workq.Bench;

/// <summary>One way to run Workq in <c>--vs cmdlog</c>: in memory, or with a command log synced one way.</summary>
public sealed record LogVariant(string Name, string? Sync)
{
    public static readonly LogVariant Memory = new("memory", null);

    /// <summary>In the order they run and are shown: the baseline first, then ever more syncing.</summary>
    public static readonly IReadOnlyList<LogVariant> All =
        [Memory, new("os", "os"), new("interval", "interval"), new("always", "always")];

    /// <summary>The host's flags for this variant, with its log in <paramref name="directory"/>.</summary>
    public IReadOnlyList<string> HostArgs(LogDirectory? directory) =>
        Sync is null || directory is null ? [] : ["--cmdlog-path", directory.Path, "--cmdlog-sync", Sync];
}
