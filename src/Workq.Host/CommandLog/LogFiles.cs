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

    public static string Segment(string dir, long number) =>
        Path.Combine(dir, number.ToString("D20", CultureInfo.InvariantCulture) + SegmentSuffix);

    public static string Snapshot(string dir, long firstUncovered) =>
        Path.Combine(dir, SnapshotPrefix + firstUncovered.ToString("D20", CultureInfo.InvariantCulture) + SnapshotSuffix);

    /// <summary>The first segment a snapshot does not cover, from its name.</summary>
    public static long SnapshotNumber(string path) =>
        long.Parse(Path.GetFileName(path)[SnapshotPrefix.Length..^SnapshotSuffix.Length], CultureInfo.InvariantCulture);

    /// <summary>Segment numbers and paths, oldest first.</summary>
    public static List<(long Number, string Path)> Segments(string dir) => Numbered(dir, "", SegmentSuffix);

    /// <summary>Snapshots by the first segment they do not cover, oldest first.</summary>
    public static List<(long Number, string Path)> Snapshots(string dir) => Numbered(dir, SnapshotPrefix, SnapshotSuffix);

    public static IEnumerable<string> Leftovers(string dir) => Directory.EnumerateFiles(dir, "*" + TempSuffix);

    private static List<(long, string)> Numbered(string dir, string prefix, string suffix)
    {
        var found = new List<(long, string)>();
        foreach (string path in Directory.EnumerateFiles(dir, prefix + "*" + suffix))
        {
            string name = Path.GetFileName(path);
            string digits = name[prefix.Length..^suffix.Length];
            if (digits.Length == 20 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                found.Add((n, path));
        }
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }
}
