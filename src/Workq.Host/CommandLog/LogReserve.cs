using Microsoft.Win32.SafeHandles;

namespace Workq.Host.CommandLog;

/// <summary>
/// Disk space kept for the next compaction: the file <c>DIR/reserve</c>, its blocks
/// allocated and never written. A compaction writes its snapshot before it may delete
/// the segments the snapshot covers, so it needs room for the live jobs while the disk
/// still holds their history; history alone can fill a disk (jobs added and deleted),
/// and then only a compaction can make room. So the engine keeps the reserve at least as
/// large as a snapshot of its state could be before it appends anything, and a
/// compaction writes its snapshot into the reserve's blocks, which cannot fail for want
/// of space. The engine alone calls it.
/// </summary>
internal sealed class LogReserve : IDisposable
{
    /// <summary>Room for a new segment's header, on a file system with blocks of up to 64 KiB.</summary>
    public const long SegmentSpace = 64 * 1024;

    private readonly string path;
    private SafeFileHandle? file;

    private LogReserve(string path, SafeFileHandle? file, long size)
    {
        this.path = path;
        this.file = file;
        Size = size;
    }

    /// <summary>Bytes reserved.</summary>
    public long Size { get; private set; }

    /// <summary>The reserve a directory holds (one the last run left, or none yet).</summary>
    public static LogReserve Open(string dir)
    {
        string path = LogFiles.Reserve(dir);
        if (!File.Exists(path))
            return new LogReserve(path, null, 0);
        SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        return new LogReserve(path, file, RandomAccess.GetLength(file));
    }

    /// <summary>
    /// Makes the reserve hold at least <paramref name="needed"/> bytes, taking a quarter
    /// more when it grows and there is room (so that it grows rarely); gives back what it
    /// holds beyond twice that. Throws an <see cref="IOException"/> when the disk has no
    /// room for it: then nothing may be appended.
    /// </summary>
    public void Fit(long needed)
    {
        long ample = needed + needed / 4;
        if (Size >= needed && Size <= 2 * ample)
            return;
        SafeFileHandle reserve = file ??= File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        if (Size >= needed)
            RandomAccess.SetLength(reserve, ample);
        else if (!TryGrow(reserve, ample))
            Grow(reserve, needed);
        Size = RandomAccess.GetLength(reserve);
    }

    private bool TryGrow(SafeFileHandle reserve, long length)
    {
        try
        {
            Grow(reserve, length);
            return true;
        }
        catch (IOException e) when (FileSpace.IsFull(e))
        {
            return false;
        }
    }

    private void Grow(SafeFileHandle reserve, long length)
    {
        try
        {
            FileSpace.Allocate(reserve, Size, length);
        }
        catch (IOException)
        {
            // All or nothing: what it may have taken goes back, and whatever it had stays.
            RandomAccess.SetLength(reserve, Size);
            throw;
        }
    }

    /// <summary>Gives back what the reserve holds beyond <paramref name="needed"/>: room for an append on a full disk.</summary>
    public bool GiveBackBeyond(long needed)
    {
        if (file is null || Size <= needed)
            return false;
        RandomAccess.SetLength(file, needed);
        Size = needed;
        return true;
    }

    /// <summary>
    /// Hands the reserve's blocks to a compaction: the file becomes <paramref name="target"/>
    /// (renamed, still allocated), and the reserve is empty until the next <see cref="Fit"/>.
    /// False when there is no reserve to hand over.
    /// </summary>
    public bool HandOver(string target)
    {
        if (file is null)
            return false;
        file.Dispose();
        file = null;
        File.Move(path, target, overwrite: true);
        Size = 0;
        return true;
    }

    public void Dispose() => file?.Dispose();
}
