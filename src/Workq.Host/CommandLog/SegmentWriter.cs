using Microsoft.Win32.SafeHandles;
using Workq.Domain.CommandLog;
using Workq.Host.Metrics;

namespace Workq.Host.CommandLog;

/// <summary>
/// Appends records to the current segment and starts a new one when it is full. Appends
/// come from the engine alone; <see cref="Sync"/> may come from the syncer at any time.
/// Every append is written at the end of the sound records before the engine replies, so
/// the bytes are with the OS first: killing the process loses nothing acknowledged.
/// </summary>
/// <remarks>
/// A segment is full once it holds the configured size: the record that fills it is its
/// last, so a segment goes over by at most one record (the original server's
/// <c>-cmdlog-seg-size</c>; with a tiny size every record has a file of its own). A batch
/// that fills a segment goes on in the next one.
/// <para>
/// What a power loss may leave is a prefix of the log, torn at most in its last segment:
/// a full segment, and its name in the directory, are on disk before the next segment is
/// begun (one fsync of the segment, one of the directory, which has little left to write
/// by then). A new segment's header is not forced to disk on its own: it goes with the
/// first sync of the segment (the batch's with <c>always</c>, the syncer's with
/// <c>interval</c>, the next rotation's), and a last segment whose header was lost is
/// started again at load. A sync of a segment also syncs the directory if a segment was
/// created since the directory was last synced, so a synced record is never in a file
/// whose name could be lost.
/// </para>
/// </remarks>
internal sealed class SegmentWriter : IDisposable
{
    private static readonly long HeaderSize = Workq.Domain.CommandLog.Segment.headerSize;

    private readonly string dir;
    private readonly long segmentSize;
    private readonly CommandLogMetrics metrics;
    private readonly Lock handleLock = new();
    // Segments that an append started and then failed to fill: they hold records that
    // were refused, so they go before anything else is written.
    private readonly List<long> abandoned = [];
    private SafeFileHandle handle;
    private long length;
    // A failed write may have left part of a record behind: cut it before the next one.
    private bool mustTruncate;
    // The current segment has no header yet: it gets one with the first append.
    private bool headerPending;
    private long written;
    private bool formatIsOlder;
    // Segments created, and how many of them the directory was synced after: a sync of a
    // record in a new segment also syncs the directory. Created by the engine, synced also
    // by the syncer.
    private long segmentsCreated;
    private long directorySyncedFor;

    public SegmentWriter(string dir, long segment, long length, long segmentSize, CommandLogMetrics? metrics = null)
    {
        this.dir = dir;
        this.segmentSize = segmentSize;
        this.metrics = metrics ?? new CommandLogMetrics();
        Segment = segment;
        // Nothing is written before the first append: a server that starts on a full disk
        // starts (refusing changes until there is room) rather than failing on a header.
        handle = File.OpenHandle(LogFiles.Segment(dir, segment), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        headerPending = length < HeaderSize;
        this.length = Math.Max(length, HeaderSize);
        // A segment left full by the last run is not appended to.
        if (this.length >= segmentSize && this.length > HeaderSize)
            TryRotate();
    }

    /// <summary>The segment being written.</summary>
    public long Segment { get; private set; }

    /// <summary>
    /// The segment was written in an older format: the first append starts a new segment
    /// (of this format) before it writes. Lazily, so that a start on a full disk still
    /// starts.
    /// </summary>
    public void StartNewSegmentBeforeAppending() => formatIsOlder = true;

    /// <summary>Bytes appended since the server started: a position for the syncer.</summary>
    public long Written => Volatile.Read(ref written);

    /// <summary>
    /// Appends whole records (<paramref name="ends"/>: where each one ends in
    /// <paramref name="records"/>), and with <paramref name="sync"/> forces them to disk.
    /// On failure nothing was appended.
    /// </summary>
    public void Append(ReadOnlySpan<byte> records, ReadOnlySpan<int> ends, bool sync)
    {
        Repair();
        if (formatIsOlder)
        {
            // Records of this format never go into a file whose header says another; if the
            // new segment cannot be started, the append fails and nothing is written.
            Rotate();
            formatIsOlder = false;
        }
        // Usually every record but the last leaves the segment short of full: one write.
        if (ends.Length < 2 || length + ends[^2] < segmentSize)
        {
            WriteOrCut(records, sync);
            length += records.Length;
        }
        else
        {
            AppendAcrossSegments(records, ends, sync);
        }
        Volatile.Write(ref written, written + records.Length);
        metrics.Appended(records.Length);
        if (length >= segmentSize)
            TryRotate();
    }

    /// <summary>Starts the next segment; returns its number. Everything before it is on disk.</summary>
    public long Rotate()
    {
        Repair();
        SyncFull(handle);
        SafeFileHandle next = Start(Segment + 1);
        lock (handleLock)
        {
            handle.Dispose();
            handle = next;
        }
        Segment++;
        length = HeaderSize;
        return Segment;
    }

    /// <summary>Forces what was appended to disk (fsync), and the directory if a segment was created since it was synced.</summary>
    public void Sync()
    {
        long created = Interlocked.Read(ref segmentsCreated);
        lock (handleLock)
            metrics.Fsync(handle);
        SyncDirectoryFor(created);
    }

    /// <summary>
    /// Forces a full segment to disk, and its name: before the next segment is begun, so
    /// that what a power loss leaves is a prefix of the log.
    /// </summary>
    private void SyncFull(SafeFileHandle file)
    {
        metrics.Fsync(file);
        SyncDirectoryFor(Interlocked.Read(ref segmentsCreated));
    }

    /// <summary>Syncs the directory unless it was synced after the first <paramref name="created"/> segments were created.</summary>
    private void SyncDirectoryFor(long created)
    {
        if (Interlocked.Read(ref directorySyncedFor) >= created)
            return;
        DirectorySync.Flush(dir);
        long seen = Interlocked.Read(ref directorySyncedFor);
        while (seen < created)
        {
            long was = Interlocked.CompareExchange(ref directorySyncedFor, created, seen);
            if (was == seen)
                break;
            seen = was;
        }
    }

    /// <summary>Writes at the end of the current segment; on failure cuts what the write may have left.</summary>
    private void WriteOrCut(ReadOnlySpan<byte> records, bool sync)
    {
        try
        {
            RandomAccess.Write(handle, records, length);
            if (sync)
            {
                metrics.Fsync(handle);
                SyncDirectoryFor(Interlocked.Read(ref segmentsCreated));
            }
        }
        catch
        {
            CutCurrent();
            throw;
        }
    }

    /// <summary>
    /// Writes the records that fill the current segment into it and the rest into new
    /// segments, each full one (and its name) forced to disk before the next is begun. The
    /// current segment changes only once all is written; on failure the new segments are
    /// removed and the current one is cut back.
    /// </summary>
    private void AppendAcrossSegments(ReadOnlySpan<byte> records, ReadOnlySpan<int> ends, bool sync)
    {
        var started = new List<SafeFileHandle>();
        // The last segment this append may have created, if only as an empty file.
        long created = Segment;
        SafeFileHandle file = handle;
        long at = length;
        int from = 0;
        try
        {
            for (int i = 0; i < ends.Length; i++)
            {
                bool last = i == ends.Length - 1;
                if (!last && at + (ends[i] - from) < segmentSize)
                    continue;
                RandomAccess.Write(file, records[from..ends[i]], at);
                at += ends[i] - from;
                from = ends[i];
                if (last)
                    break;
                SyncFull(file);
                SafeFileHandle next;
                try
                {
                    created = Segment + started.Count + 1;
                    next = Start(created);
                }
                catch (IOException)
                {
                    // No new segment (a full disk, say): the rest goes on in this one, as
                    // when rotating fails. If it does not fit either, the write below fails.
                    RandomAccess.Write(file, records[from..], at);
                    at += records.Length - from;
                    break;
                }
                started.Add(next);
                file = next;
                at = HeaderSize;
            }
            if (sync)
            {
                metrics.Fsync(file);
                SyncDirectoryFor(Interlocked.Read(ref segmentsCreated));
            }
        }
        catch
        {
            Abandon(started, created);
            CutCurrent();
            throw;
        }
        if (started.Count == 0)
        {
            length = at;
            return;
        }
        lock (handleLock)
        {
            handle.Dispose();
            for (int i = 0; i < started.Count - 1; i++)
                started[i].Dispose();
            handle = started[^1];
        }
        Segment += started.Count;
        length = at;
    }

    /// <summary>
    /// Removes the segments a failed append started, up to <paramref name="created"/> (a
    /// file whose header could not be written is removed too: a gap in the numbers would
    /// stop the next start); those it cannot remove now go before the next write.
    /// </summary>
    private void Abandon(List<SafeFileHandle> started, long created)
    {
        foreach (SafeFileHandle file in started)
            file.Dispose();
        for (long segment = Segment + 1; segment <= created; segment++)
            abandoned.Add(segment);
        try
        {
            RemoveAbandoned();
        }
        catch (IOException)
        {
            // Tried again before the next append.
        }
    }

    /// <summary>Cuts the current segment back to its sound records after a failed write.</summary>
    private void CutCurrent()
    {
        mustTruncate = true;
        try
        {
            RandomAccess.SetLength(handle, length);
            mustTruncate = false;
        }
        catch (IOException)
        {
            // Tried again before the next append.
        }
    }

    /// <summary>
    /// Undoes what a failed append left behind, and writes a header the segment lacks; or
    /// throws: nothing is written after a refused record.
    /// </summary>
    private void Repair()
    {
        if (abandoned.Count > 0)
            RemoveAbandoned();
        if (mustTruncate)
        {
            RandomAccess.SetLength(handle, length);
            mustTruncate = false;
        }
        if (headerPending)
        {
            Interlocked.Increment(ref segmentsCreated);
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, Workq.Domain.CommandLog.Segment.header(), 0);
            headerPending = false;
        }
    }

    private void RemoveAbandoned()
    {
        while (abandoned.Count > 0)
        {
            File.Delete(LogFiles.Segment(dir, abandoned[^1]));
            abandoned.RemoveAt(abandoned.Count - 1);
        }
        DirectorySync.Flush(dir);
    }

    private void TryRotate()
    {
        try
        {
            Rotate();
        }
        catch (IOException)
        {
            // The records are safe in the current segment; the next append tries again.
        }
    }

    /// <summary>
    /// Starts a new segment with its header, which is forced to disk with the segment's
    /// first sync; on failure leaves no file behind.
    /// </summary>
    private SafeFileHandle Start(long segment)
    {
        string path = LogFiles.Segment(dir, segment);
        SafeFileHandle file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            Interlocked.Increment(ref segmentsCreated);
            RandomAccess.SetLength(file, 0);
            RandomAccess.Write(file, Workq.Domain.CommandLog.Segment.header(), 0);
            return file;
        }
        catch
        {
            file.Dispose();
            // An empty segment left behind would be the next start's last segment, with a
            // header still to write. If even deleting fails, that start writes it.
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Sync();
        }
        finally
        {
            lock (handleLock)
                handle.Dispose();
        }
    }
}
