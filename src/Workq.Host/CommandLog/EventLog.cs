using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;
using Workq.Domain;
using Workq.Domain.CommandLog;
using Workq.Host.CommandLog.Original;
using Workq.Host.Metrics;

namespace Workq.Host.CommandLog;

/// <summary>
/// The command log as the engine sees it: the logged events of a batch are gathered, then
/// appended in one write before any reply of the batch leaves; the sync policy and
/// compaction run beside it.
/// </summary>
internal sealed class EventLog : IAsyncDisposable
{
    private readonly CommandLogSettings settings;
    private readonly DirectoryLock directoryLock;
    private readonly SegmentWriter writer;
    private readonly LogSyncer syncer;
    private readonly Compactor compactor;
    private readonly ILogger logger;
    private readonly ArrayBufferWriter<byte> pending = new(64 * 1024);
    // Where each record in pending ends: a segment may only be full after a whole record.
    private readonly List<int> recordEnds = [];
    private readonly ArrayBufferWriter<byte> body = new(1024);
    private long lastCompaction;
    private long compactedAt;

    private EventLog(
        CommandLogSettings settings, DirectoryLock directoryLock, SegmentWriter writer, int replayed, long now, CommandLogMetrics metrics, ILogger logger)
    {
        this.settings = settings;
        this.directoryLock = directoryLock;
        this.writer = writer;
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
    /// <see cref="CommandLogException"/> when the directory is in use, damaged or holds
    /// files the server cannot read.
    /// </summary>
    public static EventLog Open(CommandLogSettings settings, long now, CommandLogMetrics metrics, ILogger logger, out State state)
    {
        Directory.CreateDirectory(settings.Directory);
        DirectoryLock directoryLock = DirectoryLock.Acquire(settings.Directory);
        try
        {
            LogDirectory contents = LogDirectory.Scan(settings.Directory);
            if (contents.Refusal is { } refusal)
                throw new CommandLogException(refusal);
            if (contents.Format != LogFormat.Own)
                new OriginalLogImporter(settings, logger).Run(contents, now);
            LoadedLog loaded = new LogLoader(settings, logger).Load(now);
            var writer = new SegmentWriter(settings.Directory, loaded.Segment, loaded.SegmentLength, settings.SegmentSize, metrics);
            state = loaded.State;
            return new EventLog(settings, directoryLock, writer, loaded.Events, now, metrics, logger);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>The events replayed from the directory when it was opened.</summary>
    public int ReplayedEvents { get; }

    public bool HasPending => pending.WrittenCount > 0;

    /// <summary>Gathers the events of a decision that belong in the log.</summary>
    public void Add(FSharpList<Event> events)
    {
        foreach (Event e in events)
        {
            if (e is Event.Logged logged)
            {
                body.ResetWrittenCount();
                EventCodec.encode(body, logged.Item);
                Records.frame(pending, body.WrittenSpan);
                recordEnds.Add(pending.WrittenCount);
            }
        }
    }

    /// <summary>
    /// Appends what was gathered in one write; with the policy <c>always</c> also forces it
    /// to disk, so every command of the batch shares one fsync (and commands arriving
    /// meanwhile make up the next batch: group commit). If it fails, nothing was appended.
    /// </summary>
    public async ValueTask CommitAsync()
    {
        try
        {
            if (settings.Sync == SyncPolicy.Always)
            {
                // The fsync runs off the caller's thread: the engine is often run by the
                // socket thread, which must go on receiving the next batch meanwhile.
                ReadOnlyMemory<byte> records = pending.WrittenMemory;
                await Task.Run(() => writer.Append(records.Span, CollectionsMarshal.AsSpan(recordEnds), sync: true));
            }
            else
            {
                writer.Append(pending.WrittenSpan, CollectionsMarshal.AsSpan(recordEnds), sync: false);
            }
        }
        finally
        {
            pending.ResetWrittenCount();
            recordEnds.Clear();
        }
    }

    /// <summary>
    /// Every clean interval, if anything was appended since the last time: starts a new
    /// segment and snapshots <paramref name="state"/> (which holds everything before it) in the background.
    /// </summary>
    public void CompactIfDue(State state, long now)
    {
        if (now - lastCompaction < (long)settings.CleanInterval.TotalMilliseconds || compactor.Busy)
            return;
        lastCompaction = now;
        if (writer.Written == compactedAt)
            return;
        long firstUncovered;
        try
        {
            firstUncovered = writer.Rotate();
        }
        catch (IOException e)
        {
            // No room for a new segment (a full disk): appends go on in the current one, and
            // the next interval tries again. It must not end the engine.
            logger.LogError("Compacting the command log failed: cannot start a new segment ({Reason})", e.Message);
            return;
        }
        compactedAt = writer.Written;
        compactor.Start(state, firstUncovered);
    }

    public async ValueTask DisposeAsync()
    {
        await syncer.DisposeAsync();
        await compactor.WhenIdle();
        writer.Dispose();
        directoryLock.Dispose();
    }
}
