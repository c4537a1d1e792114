using System.Globalization;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace Workq.Host.Cluster;

/// <summary>
/// A snapshot of a member's state in Workq's own snapshot format, as the replicated log
/// knows it: the Raft index and term it covers up to, and its bytes on demand (sent to a
/// member that has fallen behind the log's compaction). Named <c>INDEX-TERM.wqs</c>.
/// </summary>
internal sealed class RaftSnapshot(string path, long index, long term) : ISnapshot
{
    private const string Suffix = ".wqs";

    public string Path { get; } = path;

    public long Index { get; } = index;

    public long Term { get; } = term;

    bool IDataTransferObject.IsReusable => true;

    // The log promises every entry's length.
    long? IDataTransferObject.Length => new FileInfo(Path).Length;

    public static string PathFor(string dir, long index, long term) =>
        System.IO.Path.Combine(dir, $"{index.ToString("D20", CultureInfo.InvariantCulture)}-{term.ToString(CultureInfo.InvariantCulture)}{Suffix}");

    /// <summary>The snapshots in <paramref name="dir"/>, newest (highest index) first.</summary>
    public static List<RaftSnapshot> In(string dir)
    {
        var found = new List<RaftSnapshot>();
        foreach (string path in Directory.EnumerateFiles(dir, "*" + Suffix))
        {
            string name = System.IO.Path.GetFileNameWithoutExtension(path);
            int dash = name.IndexOf('-');
            if (dash > 0
                && long.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out long index)
                && long.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long term))
                found.Add(new RaftSnapshot(path, index, term));
        }
        found.Sort((a, b) => b.Index.CompareTo(a.Index));
        return found;
    }

    public async ValueTask WriteToAsync<TWriter>(TWriter writer, CancellationToken token)
        where TWriter : IAsyncBinaryWriter
    {
        await using var file = new FileStream(
            Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, useAsync: true);
        byte[] buffer = new byte[64 * 1024];
        for (int read; (read = await file.ReadAsync(buffer, token)) > 0;)
            await writer.Invoke(buffer.AsMemory(0, read), token);
    }
}
