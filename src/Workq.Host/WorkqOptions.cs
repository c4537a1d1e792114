namespace Workq.Host;

/// <summary>Settings from the configuration section <c>Workq</c>.</summary>
public sealed class WorkqOptions
{
    public const string Section = "Workq";

    /// <summary>Where to listen, as <c>HOST:PORT</c> (the original server's <c>-listen</c>).</summary>
    public string Listen { get; set; } = "127.0.0.1:9922";

    // The command log's settings, read by CommandLog/CommandLogSettings. The log is not
    // wired into the engine yet, so no command-line flags map to these.

    /// <summary>The command log's directory; empty: no command log.</summary>
    public string CmdlogPath { get; set; } = "";

    /// <summary><c>always</c>, <c>interval</c> or <c>os</c>.</summary>
    public string CmdlogSync { get; set; } = "os";

    /// <summary>Milliseconds between syncs under <c>interval</c>.</summary>
    public int CmdlogSyncInt { get; set; } = 1000;

    /// <summary>Bytes per segment file.</summary>
    public long CmdlogSegSize { get; set; } = 64L << 20;

    /// <summary>Milliseconds between compactions.</summary>
    public int CmdlogCleanInt { get; set; } = 300_000;

    /// <summary>Cut a damaged log tail instead of refusing to start.</summary>
    public bool CmdlogRepair { get; set; }
}
