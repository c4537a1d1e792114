namespace Workq.Host.CommandLog;

/// <summary>Whose log a directory holds.</summary>
internal enum LogFormat
{
    /// <summary>This server's, or nothing yet.</summary>
    Own,

    /// <summary>The original Workq's files and no log of ours: to be imported.</summary>
    Original,

    /// <summary>
    /// The snapshot of an import and some of the original's files not yet moved away: an
    /// import that stopped after its snapshot was in place (the server alone writes a
    /// snapshot with no segment of ours beside it).
    /// </summary>
    ImportUnfinished,

    /// <summary>This server's segments and the original's files: refused.</summary>
    Both,
}

/// <summary>
/// The entries of a log directory, sorted by whose they are: this server's
/// (<see cref="LogFiles"/>), the original Workq's (<see cref="OriginalFiles"/>), or
/// neither. The server refuses a directory with entries it cannot read rather than
/// skip them.
/// </summary>
internal sealed class LogDirectory
{
    private const int NamesShown = 10;

    private LogDirectory(string path, List<string> originalFiles, List<string> unknown, LogFormat format)
    {
        Path = path;
        OriginalFiles = originalFiles;
        Unknown = unknown;
        Format = format;
    }

    public string Path { get; }

    /// <summary>The original's files, in name order (full paths).</summary>
    public IReadOnlyList<string> OriginalFiles { get; }

    /// <summary>Entries that are neither ours nor the original's (names).</summary>
    public IReadOnlyList<string> Unknown { get; }

    public LogFormat Format { get; }

    /// <summary>Why the server would refuse to start on the directory, if it would.</summary>
    public string? Refusal =>
        Unknown.Count > 0
            ? $"the command log directory {Path} holds files that are neither this server's nor the original Workq's: "
              + $"{Names(Unknown)}. Move them elsewhere: nothing in the directory is skipped"
            : Format == LogFormat.Both
                ? $"the command log directory {Path} holds both this server's log and the original Workq's files "
                  + $"({Names(OriginalFiles.Select(f => System.IO.Path.GetFileName(f)).ToList())}); the original's log is "
                  + "imported only into a directory with no log of ours: move its files into an empty directory and start on that"
                : null;

    public static LogDirectory Scan(string dir)
    {
        var original = new List<string>();
        var unknown = new List<string>();
        foreach (FileSystemInfo entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            bool isDirectory = entry is DirectoryInfo;
            if (LogFiles.IsOwn(entry.Name, isDirectory))
                continue;
            if (!isDirectory && Original.OriginalFiles.IsOriginal(entry.Name))
                original.Add(entry.FullName);
            else
                unknown.Add(entry.Name + (isDirectory ? "/" : ""));
        }
        original.Sort(StringComparer.Ordinal);
        unknown.Sort(StringComparer.Ordinal);
        bool ownSegments = LogFiles.Segments(dir).Count > 0;
        bool ownSnapshots = LogFiles.Snapshots(dir).Count > 0;
        LogFormat format = original.Count == 0 ? LogFormat.Own
            : ownSegments ? LogFormat.Both
            : ownSnapshots ? LogFormat.ImportUnfinished
            : LogFormat.Original;
        return new LogDirectory(dir, original, unknown, format);
    }

    private static string Names(IReadOnlyList<string> names) =>
        names.Count <= NamesShown
            ? string.Join(", ", names)
            : string.Join(", ", names.Take(NamesShown)) + $" and {names.Count - NamesShown} more";
}
