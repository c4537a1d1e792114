using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;
using Workq.Domain;
using Workq.Host.CommandLog.Original;
using Workq.Host.Engine;
using Workq.Host.Metrics;

namespace Workq.Host.CommandLog;

/// <summary>
/// The command log as the engine sees it: the logged events of a batch are gathered, then
/// appended in one write before any reply of the batch leaves; the sync policy and
/// compaction run beside it, and the reserve (<see cref="LogReserve"/>) keeps the room a
/// compaction needs, so that a disk filled by the log's own history always recovers.
/// </summary>
internal sealed class EventLog : ILogSink, IAsyncDisposable
{
    // On a full disk, a compaction (the only way the log can make room) comes as soon as
    // the last one is this long past, rather than a whole clean interval after it.
    private const long FullDiskCompactionGapMs = 1000;

    private readonly CommandLogSettings settings;
    private readonly DirectoryLock directoryLock;
    private readonly SegmentWriter writer;
    private readonly LogReserve reserve;
    private readonly LogSyncer syncer;
    private readonly Compactor compactor;
    private readonly ILogger logger;
    private readonly EventBatch pending = new();
    private long lastCompaction;
    private long compactedAt;
    private bool diskFull;

    private EventLog(
        CommandLogSettings settings, DirectoryLock directoryLock, SegmentWriter writer, LogReserve reserve, bool diskFull,
        int replayed, long now, CommandLogMetrics metrics, ILogger logger)
    {
        this.settings = settings;
        this.directoryLock = directoryLock;
        this.writer = writer;
        this.reserve = reserve;
        this.diskFull = diskFull;
        ReplayedEvents = replayed;
        syncer = new LogSyncer(writer, settings, logger);
        compactor = new Compactor(settings.Directory, metrics, logger);
        this.logger = logger;
        lastCompaction = now;
        compactedAt = writer.Written;
    }

    /// <summary>
    /// Takes the directory (creating it), imports the original Workq's log if it holds one,
    /// replays it into <paramref name="state"/> and opens it for appending. Throws
    /// <see cref="CommandLogException"/> when the directory is in use, damaged, holds
    /// files the server cannot read, or cannot be read. A full disk does not stop it: the
    /// server starts, and changes are refused until there is room.
    /// </summary>
    public static EventLog Open(CommandLogSettings settings, long now, CommandLogMetrics metrics, ILogger logger, out State state)
    {
        DirectoryLock? directoryLock = null;
        LogReserve? reserve = null;
        SegmentWriter? writer = null;
        try
        {
            Directory.CreateDirectory(settings.Directory);
            directoryLock = DirectoryLock.Acquire(settings.Directory);
            LogDirectory contents = LogDirectory.Scan(settings.Directory);
            if (contents.Refusal is { } refusal)
                throw new CommandLogException(refusal);
            if (contents.Format != LogFormat.Own)
                new OriginalLogImporter(settings, logger).Run(contents, now);
            LoadedLog loaded = new LogLoader(settings, logger).Load(now);
            reserve = LogReserve.Open(settings.Directory);
            writer = new SegmentWriter(settings.Directory, loaded.Segment, loaded.SegmentLength, settings.SegmentSize, metrics);
            // A file says its format once, in its header: records of this one go to a new segment.
            // (The writer has moved on already when the segment was full.)
            if (loaded.SegmentIsOlder && writer.Segment == loaded.Segment)
                writer.StartNewSegmentBeforeAppending();
            state = loaded.State;
            IOException? noRoom = ReserveAtStart(settings, reserve, state, logger);
            return new EventLog(
                settings, directoryLock, writer, reserve, noRoom is not null && FileSpace.IsFull(noRoom), loaded.Events, now, metrics, logger)
            {
                StartProblem = noRoom?.Message,
            };
        }
        catch (Exception e)
        {
            writer?.Dispose();
            reserve?.Dispose();
            directoryLock?.Dispose();
            if (e is IOException or UnauthorizedAccessException)
                throw new CommandLogException($"the command log {settings.Directory} cannot be used: {e.Message}");
            throw;
        }
    }

    /// <summary>
    /// Takes the room the first compaction needs; on a disk without it, says that changes
    /// wait for room, and returns why.
    /// </summary>
    private static IOException? ReserveAtStart(CommandLogSettings settings, LogReserve reserve, State state, ILogger logger)
    {
        try
        {
            reserve.Fit(SpaceNeeded(state));
            return null;
        }
        catch (IOException e)
        {
            logger.LogWarning(
                "The disk of the command log {Dir} has no room ({Reason}): the server starts, and refuses changes until there is room",
                settings.Directory, e.Message);
            return e;
        }
    }

    /// <summary>What the reserve must hold for a state: a snapshot of it, and a new segment's header.</summary>
    private static long SpaceNeeded(State state) => Workq.Domain.CommandLog.Snapshot.maxSize(state) + LogReserve.SegmentSpace;

    /// <summary>The events replayed from the directory when it was opened.</summary>
    public int ReplayedEvents { get; }

    /// <summary>Why the log could not take the room it needs when opened (changes are refused until it can); null if it could.</summary>
    public string? StartProblem { get; private init; }

    public bool HasPending => !pending.IsEmpty;

    public NodeStatus Node => NodeStatusModule.standalone;

    /// <summary>Gathers the events of a decision that belong in the log.</summary>
    public void Add(FSharpList<Event> events) => pending.Add(events);

    /// <summary>Appends what was gathered, if anything: once written, the batch is as durable as its sync policy makes it.</summary>
    public async ValueTask<bool> CommitAsync(long ticket, BatchKind kind, State state)
    {
        if (HasPending)
            await CommitAsync(state);
        return false;
    }

    public bool Administer(long conn, ClusterRequest request) => false;

    /// <summary>
    /// Appends what was gathered in one write; with the policy <c>always</c> also forces it
    /// to disk, so every command of the batch shares one fsync (and commands arriving
    /// meanwhile make up the next batch: group commit). If it fails, nothing was appended.
    /// First the reserve is made to hold what a compaction of <paramref name="state"/> (the
    /// state the batch leads to) would need: if the disk has no room for that, the batch
    /// is refused, so that a full disk always leaves room for the compaction that empties it.
    /// </summary>
    public async ValueTask CommitAsync(State state)
    {
        try
        {
            long needed = SpaceNeeded(state);
            reserve.Fit(needed);
            try
            {
                await AppendAsync();
            }
            catch (IOException e) when (FileSpace.IsFull(e) && reserve.GiveBackBeyond(needed))
            {
                // What the reserve holds beyond the need takes the batch: on a full disk,
                // the deletes and completes that shrink the jobs still go in.
                await AppendAsync();
            }
            diskFull = false;
        }
        catch (IOException e) when (FileSpace.IsFull(e))
        {
            diskFull = true;
            throw;
        }
        finally
        {
            pending.Clear();
        }
    }

    private async ValueTask AppendAsync()
    {
        if (settings.Sync == SyncPolicy.Always)
        {
            // The fsync runs off the caller's thread: the engine is often run by the
            // socket thread, which must go on receiving the next batch meanwhile.
            await Task.Run(() => writer.Append(pending.Records.Span, pending.Ends, sync: true));
        }
        else
        {
            writer.Append(pending.Records.Span, pending.Ends, sync: false);
        }
    }

    /// <summary>
    /// Every clean interval, if anything was appended since the last time (and on a full
    /// disk sooner): starts a new segment and snapshots <paramref name="state"/> (which
    /// holds everything before it) in the background, into the reserve's space.
    /// </summary>
    public void CompactIfDue(State state, long now)
    {
        long since = now - lastCompaction;
        bool due = since >= (long)settings.CleanInterval.TotalMilliseconds || (diskFull && since >= FullDiskCompactionGapMs);
        if (!due || compactor.Busy)
            return;
        lastCompaction = now;
        if (writer.Written == compactedAt)
            return;
        long firstUncovered;
        try
        {
            // The new segment's header takes its room from the reserve.
            reserve.GiveBackBeyond(Math.Max(0, reserve.Size - LogReserve.SegmentSpace));
            firstUncovered = writer.Rotate();
        }
        catch (IOException e)
        {
            // No room for a new segment (a disk filled by something else): appends go on in
            // the current one, and the next interval tries again. It must not end the engine.
            logger.LogError("Compacting the command log failed: cannot start a new segment ({Reason})", e.Message);
            return;
        }
        compactedAt = writer.Written;
        bool preallocated;
        try
        {
            preallocated = reserve.HandOver(LogFiles.SnapshotTemp(settings.Directory, firstUncovered));
        }
        catch (IOException e)
        {
            logger.LogWarning("The command log's reserve could not be handed to its compaction ({Reason})", e.Message);
            preallocated = false;
        }
        compactor.Start(state, firstUncovered, preallocated);
    }

    public async ValueTask DisposeAsync()
    {
        await syncer.DisposeAsync();
        await compactor.WhenIdle();
        writer.Dispose();
        reserve.Dispose();
        directoryLock.Dispose();
    }
}
