using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Workq.Host.CommandLog;

namespace Workq.Host.Cluster;

/// <summary>
/// Where a cluster member keeps its data in its <c>-cmdlog-path DIR</c>: the lock,
/// and in <c>DIR/raft</c> the replicated log (<c>wal/</c>, DotNext's write-ahead log),
/// the snapshots (<c>snapshots/INDEX-TERM.wqs</c>, Workq's snapshot format) and the
/// membership (<c>members</c>). Nothing else may be there.
/// </summary>
internal sealed class MemberDirectory(string dir)
{
    private const string RaftFolder = "raft";

    public string Path { get; } = dir;

    public string Log => System.IO.Path.Combine(Path, RaftFolder, "wal");

    public string Snapshots => System.IO.Path.Combine(Path, RaftFolder, "snapshots");

    public string Members => System.IO.Path.Combine(Path, RaftFolder, "members");

    /// <summary>Creates the folders; throws <see cref="CommandLogException"/> for a directory that holds anything else.</summary>
    public void Prepare()
    {
        Directory.CreateDirectory(Path);
        var foreign = new DirectoryInfo(Path).EnumerateFileSystemInfos()
            .Where(e => e.Name is not (LogFiles.LockName or RaftFolder or "lost+found"))
            .Select(e => e.Name + (e is DirectoryInfo ? "/" : ""))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (foreign.Count > 0)
        {
            string what = LogFiles.Segments(Path).Count > 0 || LogFiles.Snapshots(Path).Count > 0
                ? "the command log of a server on its own"
                : "files that are not a cluster member's";
            throw new CommandLogException(
                $"the directory {Path} holds {what} ({string.Join(", ", foreign.Take(10))}); "
                + "a cluster member needs a directory of its own, empty the first time");
        }
        Directory.CreateDirectory(Log);
        Directory.CreateDirectory(Snapshots);
    }

    /// <summary>
    /// Opens the replicated log for <paramref name="state"/>, which has loaded its newest
    /// snapshot: the log then applies the committed entries after it.
    /// <paramref name="fileSize"/> (<c>-cmdlog-seg-size</c>) is the size of its data files,
    /// whole ones of which compaction drops; it is fixed once the log exists.
    /// </summary>
    public WriteAheadLog OpenLog(long fileSize, IStateMachine state) =>
        new(
            new WriteAheadLog.Options
            {
                Location = Log,
                ChunkSize = (int)Math.Min(fileSize, 1 << 30),
                MemoryManagement = WriteAheadLog.MemoryManagementStrategy.SharedMemory,
            },
            state);
}
