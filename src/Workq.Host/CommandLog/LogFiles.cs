using System.Globalization;

namespace Workq.Host.CommandLog;

/// <summary>
/// The files of a log directory. Segments are numbered from 1 and named so that their
/// names sort in order; a snapshot is named for the first segment it does not cover.
/// </summary>
internal static class LogFiles
{
    private const string SegmentSuffix = ".wql";
    private const string SnapshotPrefix = "snapshot-";
    private const string SnapshotSuffix = ".wqs";
    public const string TempSuffix = ".tmp";
    public const string LockName = "lock";
    public const string ReserveName = "reserve";
    public const string RepairPrefix = "repair-";

    // The file system's own folder at the root of an ext2/3/4 file system: a log directory
    // may be a mount point of its own.
    private const string LostAndFound = "lost+found";

    public static string Segment(string dir, long number) =>
        Path.Combine(dir, number.ToString("D20", CultureInfo.InvariantCulture) + SegmentSuffix);

    public static string Snapshot(string dir, long firstUncovered) =>
        Path.Combine(dir, SnapshotPrefix + firstUncovered.ToString("D20", CultureInfo.InvariantCulture) + SnapshotSuffix);

    /// <summary>A snapshot while it is being written.</summary>
    public static string SnapshotTemp(string dir, long firstUncovered) => Snapshot(dir, firstUncovered) + TempSuffix;

    /// <summary>The space kept for the next compaction (<see cref="LogReserve"/>).</summary>
    public static string Reserve(string dir) => Path.Combine(dir, ReserveName);

    /// <summary>The first segment a snapshot does not cover, from its name.</summary>
    public static long SnapshotNumber(string path) =>
        long.Parse(Path.GetFileName(path)[SnapshotPrefix.Length..^SnapshotSuffix.Length], CultureInfo.InvariantCulture);

    /// <summary>Segment numbers and paths, oldest first.</summary>
    public static List<(long Number, string Path)> Segments(string dir) => Numbered(dir, "", SegmentSuffix);

    /// <summary>Snapshots by the first segment they do not cover, oldest first.</summary>
    public static List<(long Number, string Path)> Snapshots(string dir) => Numbered(dir, SnapshotPrefix, SnapshotSuffix);

    /// <summary>Snapshots that were being written when the server stopped.</summary>
    public static IEnumerable<string> Leftovers(string dir) =>
        Directory.EnumerateFiles(dir, SnapshotPrefix + "*" + SnapshotSuffix + TempSuffix)
            .Where(path => IsNumbered(Path.GetFileName(path), SnapshotPrefix, SnapshotSuffix + TempSuffix));

    /// <summary>
    /// Whether an entry of a log directory is this server's: its lock, its reserve, segments,
    /// snapshots, a snapshot being written, repair backups, the folder of an imported
    /// original log.
    /// </summary>
    public static bool IsOwn(string name, bool isDirectory) => isDirectory
        ? name.StartsWith(RepairPrefix, StringComparison.Ordinal) || name is Original.OriginalFiles.ImportedFolder or LostAndFound
        : name is LockName or ReserveName
          || IsNumbered(name, "", SegmentSuffix)
          || IsNumbered(name, SnapshotPrefix, SnapshotSuffix)
          || IsNumbered(name, SnapshotPrefix, SnapshotSuffix + TempSuffix);

    private static bool IsNumbered(string name, string prefix, string suffix) =>
        name.Length == prefix.Length + 20 + suffix.Length
        && name.StartsWith(prefix, StringComparison.Ordinal)
        && name.EndsWith(suffix, StringComparison.Ordinal)
        && !name.AsSpan(prefix.Length, 20).ContainsAnyExceptInRange('0', '9');

    private static List<(long, string)> Numbered(string dir, string prefix, string suffix)
    {
        var found = new List<(long, string)>();
        foreach (string path in Directory.EnumerateFiles(dir, prefix + "*" + suffix))
        {
            string name = Path.GetFileName(path);
            if (IsNumbered(name, prefix, suffix)
                && long.TryParse(name.AsSpan(prefix.Length, 20), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                found.Add((n, path));
        }
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }
}
