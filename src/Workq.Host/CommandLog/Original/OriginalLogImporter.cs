using Microsoft.Extensions.Logging;
using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog.Original;

/// <summary>
/// Imports a log directory written by the original Workq 0.2.0: reads every record of its
/// segments, rebuilds the jobs with our semantics (<see cref="OriginalImport"/>), writes
/// them as our snapshot and only then moves the original's files into
/// <c>original-log/</c>.
/// <para>
/// A crash at any point leaves either the original's files untouched or our snapshot
/// whole. Until the snapshot is in place (synced, renamed, the directory synced) nothing of
/// the original's has changed, and a restart imports again (a half-written snapshot is a
/// temporary file, deleted). Once it is, a restart finds our snapshot beside the files not
/// yet moved (<see cref="LogFormat.ImportUnfinished"/>) and finishes moving them.
/// </para>
/// </summary>
internal sealed class OriginalLogImporter(CommandLogSettings settings, ILogger logger)
{
    private readonly string dir = settings.Directory;

    /// <summary>Our snapshot of an import covers none of our segments: ours start at 1.</summary>
    private const long FirstSegment = 1;

    private string Folder => Path.Combine(dir, OriginalFiles.ImportedFolder);

    /// <summary>Imports <paramref name="contents"/> at <paramref name="now"/>, or finishes an import that stopped.</summary>
    public void Run(LogDirectory contents, long now)
    {
        using OriginalServerLock held = OriginalServerLock.Acquire(dir);
        CheckFolderIsFree(contents.OriginalFiles);
        try
        {
            switch (contents.Format)
            {
                case LogFormat.Original:
                    Import(contents, now);
                    break;
                case LogFormat.ImportUnfinished:
                    MoveAway(contents.OriginalFiles);
                    logger.LogInformation(
                        "Finished an import of the original Workq's command log that had stopped: moved {Files} files into {Folder}",
                        contents.OriginalFiles.Count, Folder);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Whatever failed, the directory is as a crash at that point would leave it.
            throw new CommandLogException(
                $"importing the original Workq's command log in {dir} failed: {e.Message}. The next start goes on from where it stopped");
        }
    }

    private void Import(LogDirectory contents, long now)
    {
        foreach (string leftover in LogFiles.Leftovers(dir))
            File.Delete(leftover); // a snapshot of an import that was stopped before it was in place
        OriginalImport.Progress progress = OriginalImport.start(now);
        int files = 0;
        foreach (OriginalSegmentEntry segment in OriginalLogReader.Read(dir))
        {
            files++;
            foreach (OriginalSegment.Record record in segment.Contents.Records)
                progress = OriginalImport.apply(progress, record);
            if (segment.Contents.Damage is { } damage && !Accept(segment, damage.Value))
                break;
        }
        OriginalImport.Imported imported = OriginalImport.finish(now, progress);
        SnapshotFile.Write(dir, imported.State, FirstSegment);
        MoveAway(contents.OriginalFiles);
        logger.LogInformation(
            "Imported the original Workq's command log in {Dir}: {Files} segments, {Records} records ({Ignored} of them about "
            + "jobs unknown or already gone), {Jobs} live jobs; its files are in {Folder}",
            dir, files, imported.Records, imported.Ignored, imported.State.Jobs.Count, Folder);
    }

    /// <summary>
    /// Whether the import goes on after damage to a segment. The original's files are
    /// never cut: they are kept whole in the folder, and the records the import leaves out
    /// stay there.
    /// </summary>
    private bool Accept(OriginalSegmentEntry segment, Segment.Damage damage)
    {
        if (damage is Segment.Damage.TornTail torn && segment.IsLast)
        {
            logger.LogWarning(
                "The last record of {File} was cut short at offset {Offset} (a crash mid-write); it is left out of the import "
                + "(the file is kept whole in {Folder})", segment.Path, torn.offset, Folder);
            return true;
        }
        (int offset, string what) = LogLoader.Describe(damage);
        if (!settings.Repair)
            throw new CommandLogException(
                $"the original Workq's command log is damaged: {segment.Path} at offset {offset}: {what}. Nothing was imported "
                + "and no file was changed. Start with --cmdlog-repair to import the records before the damage (the "
                + $"original's files are kept whole in {Folder})");
        logger.LogWarning(
            "Importing the original Workq's command log up to the damage in {File} at offset {Offset} ({What}); the records "
            + "after it are left out (the files are kept whole in {Folder})", segment.Path, offset, what, Folder);
        return false;
    }

    /// <summary>A file the folder holds already would be overwritten: refused before anything changes.</summary>
    private void CheckFolderIsFree(IReadOnlyList<string> files)
    {
        List<string> taken = files.Select(f => Path.GetFileName(f)).Where(name => File.Exists(Path.Combine(Folder, name))).ToList();
        if (taken.Count > 0)
            throw new CommandLogException(
                $"{Folder} already holds {string.Join(", ", taken)}, which importing the original Workq's files in {dir} "
                + "would overwrite; move the folder elsewhere first");
    }

    /// <summary>Moves the original's files into the folder, each in one rename, and syncs both directories.</summary>
    private void MoveAway(IReadOnlyList<string> files)
    {
        Directory.CreateDirectory(Folder);
        foreach (string file in files)
            File.Move(file, Path.Combine(Folder, Path.GetFileName(file)));
        DirectorySync.Flush(Folder);
        DirectorySync.Flush(dir);
    }
}
