using System.Globalization;

namespace Workq.Host.CommandLog.Original;

/// <summary>
/// The files the original Workq 0.2.0 keeps in its <c>-cmdlog-path</c>: segments named by
/// exactly nine digits and <c>.log</c> (numbers may have gaps: its cleaner deletes emptied
/// segments), a cleaner's rewrite <c>&lt;segment&gt;.rw</c> left by a crash (the segment it
/// was to replace is intact), and its two lock files.
/// </summary>
internal static class OriginalFiles
{
    /// <summary>The subfolder the original's files are moved into once imported.</summary>
    public const string ImportedFolder = "original-log";

    /// <summary>The original's appender holds an exclusive flock on it while it runs.</summary>
    public const string AppendLock = "append.lock";

    /// <summary>Shared by the original's replay, exclusive for its cleaner.</summary>
    public const string ReadLock = "read.lock";

    private const string SegmentSuffix = ".log";
    private const string RewriteSuffix = ".rw";
    private const int Digits = 9;

    public static bool IsOriginal(string name) =>
        IsSegment(name)
        || (name.EndsWith(RewriteSuffix, StringComparison.Ordinal) && IsSegment(name[..^RewriteSuffix.Length]))
        || name is AppendLock or ReadLock;

    private static bool IsSegment(string name) =>
        name.Length == Digits + SegmentSuffix.Length
        && name.EndsWith(SegmentSuffix, StringComparison.Ordinal)
        && !name.AsSpan(0, Digits).ContainsAnyExceptInRange('0', '9');

    /// <summary>Segment numbers and paths, in the order the original replays them.</summary>
    public static List<(long Number, string Path)> Segments(string dir)
    {
        var found = new List<(long Number, string Path)>();
        foreach (string path in Directory.EnumerateFiles(dir, "*" + SegmentSuffix))
        {
            string name = Path.GetFileName(path);
            if (IsSegment(name))
                found.Add((long.Parse(name.AsSpan(0, Digits), NumberStyles.None, CultureInfo.InvariantCulture), path));
        }
        found.Sort((a, b) => a.Number.CompareTo(b.Number));
        return found;
    }
}
