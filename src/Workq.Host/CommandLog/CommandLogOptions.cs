namespace Workq.Host.CommandLog;

/// <summary>
/// The command log's settings as configured (section <c>Workq</c>, or the original
/// server's flags <c>-cmdlog-path</c>, <c>-cmdlog-sync</c>, ...). No path: in memory.
/// </summary>
public sealed class CommandLogOptions
{
    public string? CmdlogPath { get; set; }
    public string CmdlogSync { get; set; } = "interval";
    public int CmdlogSyncInt { get; set; } = 1000;
    public long CmdlogSegSize { get; set; } = 64L * 1024 * 1024;
    public int CmdlogCleanInt { get; set; } = 300_000;
    public bool CmdlogRepair { get; set; }
}
