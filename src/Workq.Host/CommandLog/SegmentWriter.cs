using Microsoft.Win32.SafeHandles;
using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog;

/// <summary>
/// Appends records to the current segment and starts a new one when it is full. Appends
/// come from the engine alone; <see cref="Sync"/> may come from the syncer at any time.
/// Every append is one write at the end of the sound records, so the bytes are with the
/// OS before the engine replies: killing the process loses nothing acknowledged.
/// </summary>
internal sealed class SegmentWriter : IDisposable
{
    private readonly string dir;
    private readonly long segmentSize;
    private readonly Lock handleLock = new();
    private SafeFileHandle handle;
    private long length;
    // A failed write may have left part of a record behind: cut it before the next one.
    private bool mustTruncate;
    private long written;

    public SegmentWriter(string dir, long segment, long length, long segmentSize)
    {
        this.dir = dir;
        this.segmentSize = segmentSize;
        Segment = segment;
        handle = Open(segment, length);
        this.length = length == 0 ? Workq.Domain.CommandLog.Segment.headerSize : length;
    }

    /// <summary>The segment being written.</summary>
    public long Segment { get; private set; }

    /// <summary>Bytes appended since the server started: a position for the syncer.</summary>
    public long Written => Volatile.Read(ref written);

    /// <summary>
    /// Appends whole records, and with <paramref name="sync"/> forces them to disk. On
    /// failure nothing was appended.
    /// </summary>
    public void Append(ReadOnlySpan<byte> records, bool sync)
    {
        if (mustTruncate)
        {
            RandomAccess.SetLength(handle, length);
            mustTruncate = false;
        }
        try
        {
            RandomAccess.Write(handle, records, length);
            if (sync)
                RandomAccess.FlushToDisk(handle);
        }
        catch
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
            throw;
        }
        length += records.Length;
        Volatile.Write(ref written, written + records.Length);
        if (length >= segmentSize)
            TryRotate();
    }

    /// <summary>Starts the next segment; returns its number. Everything before it is on disk.</summary>
    public long Rotate()
    {
        SafeFileHandle next = Open(Segment + 1, 0);
        lock (handleLock)
        {
            RandomAccess.FlushToDisk(handle);
            handle.Dispose();
            handle = next;
        }
        Segment++;
        length = Workq.Domain.CommandLog.Segment.headerSize;
        DirectorySync.Flush(dir);
        return Segment;
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

    /// <summary>Forces what was appended to disk (fsync).</summary>
    public void Sync()
    {
        lock (handleLock)
            RandomAccess.FlushToDisk(handle);
    }

    private SafeFileHandle Open(long segment, long existingLength)
    {
        string path = LogFiles.Segment(dir, segment);
        SafeFileHandle file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        if (existingLength == 0)
        {
            try
            {
                RandomAccess.SetLength(file, 0);
                RandomAccess.Write(file, Workq.Domain.CommandLog.Segment.header(), 0);
                RandomAccess.FlushToDisk(file);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        return file;
    }

    public void Dispose()
    {
        lock (handleLock)
        {
            try
            {
                RandomAccess.FlushToDisk(handle);
            }
            finally
            {
                handle.Dispose();
            }
        }
    }
}
