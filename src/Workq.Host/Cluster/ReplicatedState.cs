using System.Buffers;
using System.Diagnostics;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using Workq.Domain;
using Workq.Domain.CommandLog;
using Workq.Host.CommandLog;
using LogEntry = DotNext.Net.Cluster.Consensus.Raft.StateMachine.LogEntry;

namespace Workq.Host.Cluster;

/// <summary>
/// A member's durable state, built from the committed entries of the replicated log:
/// each entry is a batch of events (<see cref="Batch"/>), folded with the
/// <c>Evolve</c> that replay uses, on every member alike. Snapshots are Workq's own
/// snapshot files, written in the background from the immutable state, so applying never
/// waits for one; a member that has fallen behind the log's compaction installs the
/// leader's.
/// </summary>
/// <remarks>
/// <para>
/// The log applies entries one at a time (and installs a snapshot only between them);
/// <see cref="Snapshot"/> and <see cref="ReclaimGarbageAsync"/> may run beside them.
/// What others read is published as an immutable <see cref="Applied"/>.
/// </para>
/// <para>
/// Time: the leader stamps its instants into the events and never goes back, and an
/// entry holds whole decisions, each with an instant later than any before it (what it
/// decides happens at its now; a timer it fires ran out after the decision before), so the
/// last event entry holds the latest instant. A snapshot stops one entry short of an
/// event entry that follows it, so the log (and a member catching up) always keeps an
/// entry with the latest instant, which a new leader must not go back before.
/// </para>
/// </remarks>
internal sealed class ReplicatedState : IStateMachine, IAsyncDisposable
{
    private readonly string dir;
    private readonly TimeSpan snapshotInterval;
    private readonly TimeSpan requestTimeout;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Action<string> fatal;
    private readonly Lock snapshotGate = new();
    private volatile Applied current;
    private RaftSnapshot? snapshot;
    private Task writing = Task.CompletedTask;
    // Read by a new leader (SettledAsync) as well as by the applier.
    private volatile Task reading = Task.CompletedTask;
    private long lastSnapshotAt;
    private bool changedSinceSnapshot;
    private OwnEntry lastOwn = new(0, 0);
    private long installs;
    // The share of the leader's request timeout a snapshot may take here: the rest is its
    // own sending and the way back.
    private const double LateShare = 0.7;
    private long quietUntil;

    /// <param name="dir">Where the snapshots are kept.</param>
    /// <param name="snapshotInterval">How often, at most, a snapshot is written while entries come.</param>
    /// <param name="requestTimeout">How long a leader waits for a member to take its snapshot.</param>
    /// <param name="fatal">Stops the member: an entry or snapshot it cannot read.</param>
    public ReplicatedState(string dir, TimeSpan snapshotInterval, TimeSpan requestTimeout, TimeProvider time, ILogger logger, Action<string> fatal)
    {
        this.dir = dir;
        this.snapshotInterval = snapshotInterval;
        this.requestTimeout = requestTimeout;
        this.time = time;
        this.logger = logger;
        this.fatal = fatal;
        current = new Applied(StateModule.initial(Now()), 0, 0, 0);
        lastSnapshotAt = Now();
    }

    /// <summary>The state as of the last entry applied.</summary>
    public Applied Current => current;

    /// <summary>Snapshots taken from the leader since this member started.</summary>
    public long Installs => Interlocked.Read(ref installs);

    /// <summary>The last entry this member appended as leader that was applied, with the term it appended it in.</summary>
    public OwnEntry LastOwn => Volatile.Read(ref lastOwn);

    public ISnapshot? Snapshot
    {
        get
        {
            lock (snapshotGate)
                return snapshot;
        }
    }

    /// <summary>
    /// Loads the newest snapshot, if any: called before the log is opened, which then
    /// applies the committed entries after it. Throws <see cref="CommandLogException"/>
    /// for a snapshot that cannot be read.
    /// </summary>
    public void Restore()
    {
        Directory.CreateDirectory(dir);
        foreach (string leftover in Directory.EnumerateFiles(dir, "*" + LogFiles.TempSuffix))
            File.Delete(leftover); // being written when the member stopped
        if (RaftSnapshot.In(dir) is not [var newest, ..])
            return;
        byte[] bytes = File.ReadAllBytes(newest.Path);
        var read = Workq.Domain.CommandLog.Snapshot.readDetailed(Now(), bytes, bytes.Length);
        if (read.IsError)
            throw new CommandLogException(
                $"the snapshot {newest.Path} is damaged at offset {read.ErrorValue.Item1} ({read.ErrorValue.Item2}); "
                + "this member cannot start from it: empty its -cmdlog-path directory, and it catches up from the others");
        current = new Applied(read.ResultValue, newest.Index, newest.Term, 0);
        snapshot = newest;
        logger.LogInformation("Loaded the snapshot at index {Index}: {Jobs} jobs", newest.Index, read.ResultValue.Jobs.Count);
    }

    /// <summary>
    /// Completes once an installed snapshot's state has been read (it is read beside the
    /// log, see <see cref="InstallAsync"/>): <see cref="Current"/> is then the state as of
    /// the last entry applied.
    /// </summary>
    public Task SettledAsync() => reading;

    public async ValueTask<long> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        await reading;
        if (entry.IsSnapshot)
        {
            await InstallAsync(entry, token);
            return entry.Index;
        }
        Applied before = current;
        long length = entry.Length ?? 0;
        if (length > 0)
        {
            byte[] bytes = ArrayPool<byte>.Shared.Rent(checked((int)length));
            try
            {
                int filled = await CopyPayloadAsync(entry, bytes, token);
                var applied = Batch.apply(before.State, before.Latest, bytes, filled);
                if (applied.IsError)
                    throw Failure($"the log entry at index {entry.Index} (term {entry.Term}) is damaged at offset {applied.ErrorValue}");
                current = new Applied(applied.ResultValue.State, entry.Index, entry.Term, applied.ResultValue.Latest);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
            changedSinceSnapshot = true;
            if (IsSnapshotDue(before))
                StartSnapshot(before);
        }
        else
        {
            // A membership change: nothing for the jobs.
            current = before with { Index = entry.Index, Term = entry.Term };
        }
        // The appender's context is kept by index, so it may outlive its entry: the term
        // tells whether this is the entry it was given with.
        if (entry.Context is OwnEntry own && own.Term == entry.Term)
            Volatile.Write(ref lastOwn, own);
        return entry.Index;
    }

    private static async ValueTask<int> CopyPayloadAsync(LogEntry entry, byte[] into, CancellationToken token)
    {
        if (entry.TryGetPayload(out ReadOnlySequence<byte> payload))
        {
            payload.CopyTo(into);
            return (int)payload.Length;
        }
        var stream = new MemoryStream(into, writable: true);
        await entry.WriteToAsync(stream, 64 * 1024, token);
        return (int)stream.Position;
    }

    /// <summary>Whether to snapshot <paramref name="at"/>, the state just before an event entry.</summary>
    private bool IsSnapshotDue(Applied at) =>
        changedSinceSnapshot
        && writing.IsCompleted
        && at.Index > (Snapshot?.Index ?? 0)
        && Now() - lastSnapshotAt >= (long)snapshotInterval.TotalMilliseconds;

    /// <summary>Writes a snapshot of <paramref name="at"/> beside the applier: the state is immutable.</summary>
    private void StartSnapshot(Applied at)
    {
        lastSnapshotAt = Now();
        changedSinceSnapshot = false;
        writing = Task.Run(() =>
        {
            try
            {
                string path = SnapshotFile.WriteAt(RaftSnapshot.PathFor(dir, at.Index, at.Term), at.State);
                Publish(new RaftSnapshot(path, at.Index, at.Term));
                logger.LogInformation("Wrote a snapshot at index {Index}: {Jobs} jobs", at.Index, at.State.Jobs.Count);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The log keeps its entries; the next interval tries again.
                logger.LogError(e, "Writing a snapshot failed");
            }
        });
    }

    /// <summary>Makes a snapshot the one the log compacts to, unless a newer one is in place already.</summary>
    private void Publish(RaftSnapshot written)
    {
        lock (snapshotGate)
        {
            if (snapshot is null || written.Index > snapshot.Index)
                snapshot = written;
            else if (written.Path != snapshot.Path)
                File.Delete(written.Path);
        }
    }

    /// <summary>
    /// Takes the leader's snapshot: this member had fallen behind its compacted log. Its
    /// bytes become this member's newest snapshot file, and its state this member's.
    /// </summary>
    /// <remarks>
    /// The leader waits for the answer no longer than its request timeout
    /// (<see cref="ClusterOptions.RequestTimeout"/>), so only receiving the bytes and
    /// making them durable happen here; the state is read from the file beside the log,
    /// and the entries after the snapshot wait for it (<see cref="ApplyAsync"/>).
    /// </remarks>
    private async ValueTask InstallAsync(LogEntry entry, CancellationToken token)
    {
        await writing;
        long started = Stopwatch.GetTimestamp();
        string final = RaftSnapshot.PathFor(dir, entry.Index, entry.Term);
        string temp = final + LogFiles.TempSuffix;
        long received;
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024, useAsync: true))
        {
            try
            {
                await entry.WriteToAsync(file, 64 * 1024, token);
                await file.FlushAsync(token);
                // The transfer can end early without an error: the length tells.
                if (entry.Length is { } length && file.Length != length)
                    throw new IOException($"the leader's snapshot at index {entry.Index} ended after {file.Length} of {length} bytes");
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                WarnCutShort(entry.Index, file.Length, Stopwatch.GetElapsedTime(started));
                throw;
            }
            file.Flush(flushToDisk: true);
            received = file.Length;
        }
        TimeSpan receiving = Stopwatch.GetElapsedTime(started);
        // Taken after the leader gave up, it would be refused when sent again, and this
        // member would stay behind: refused here, the next try starts afresh.
        if (receiving > requestTimeout * LateShare)
        {
            File.Delete(temp);
            WarnCutShort(entry.Index, received, receiving);
            throw new IOException($"the leader's snapshot at index {entry.Index} took too long to arrive: the leader may have given up on it");
        }
        File.Move(temp, final, overwrite: true);
        DirectorySync.Flush(dir);
        Publish(new RaftSnapshot(final, entry.Index, entry.Term));
        changedSinceSnapshot = false;
        lastSnapshotAt = Now();
        reading = Task.Run(() => Read(final, entry.Index, entry.Term, received, receiving));
    }

    /// <summary>
    /// The leader gave up on a snapshot (or would have) before it was all here: it sends it
    /// again and again, and while none arrives in time this member stays behind. Said at
    /// most every 10 s, with what to do.
    /// </summary>
    private void WarnCutShort(long index, long bytes, TimeSpan after)
    {
        long now = Environment.TickCount64;
        if (now < quietUntil)
            return;
        quietUntil = now + 10_000;
        logger.LogWarning(
            "The leader's snapshot at index {Index} was cut short or late ({Bytes} bytes in {Ms} ms): a snapshot must arrive within "
            + "{Limit} ms ({Share:P0} of the request timeout, half the lower -cluster-election-timeout); until one does, this member "
            + "stays behind. A longer -cluster-election-timeout on every member gives it more time",
            index, bytes, (long)after.TotalMilliseconds, (long)(requestTimeout * LateShare).TotalMilliseconds, LateShare);
    }

    private void Read(string path, long index, long term, long size, TimeSpan receiving)
    {
        long started = Stopwatch.GetTimestamp();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure($"the snapshot received at index {index} cannot be read back from {path}: {e.Message}");
        }
        var read = Workq.Domain.CommandLog.Snapshot.read(Now(), bytes, bytes.Length);
        if (read.IsError)
            throw Failure($"the snapshot received at index {index} cannot be read: {read.ErrorValue}");
        Interlocked.Increment(ref installs);
        current = new Applied(read.ResultValue, index, term, current.Latest);
        logger.LogInformation(
            "Installed the leader's snapshot at index {Index}: {Jobs} jobs, {Bytes} bytes received and made durable in {Receiving} ms, read in {Reading} ms",
            index, read.ResultValue.Jobs.Count, size, (long)receiving.TotalMilliseconds, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The log has compacted up to <paramref name="watermark"/>: older snapshots go.</summary>
    public ValueTask ReclaimGarbageAsync(long watermark, CancellationToken token)
    {
        lock (snapshotGate)
        {
            foreach (RaftSnapshot old in RaftSnapshot.In(dir))
            {
                if (old.Index < watermark && old.Path != snapshot?.Path)
                    File.Delete(old.Path);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>An entry or snapshot this member cannot apply: applying further would leave it apart from the others.</summary>
    private InvalidDataException Failure(string what)
    {
        string message = $"{what}; this member stops. Empty its -cmdlog-path directory and start it again: it catches up from the others";
        fatal(message);
        return new InvalidDataException(message);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async ValueTask DisposeAsync()
    {
        await writing;
        try
        {
            await reading;
        }
        catch (InvalidDataException)
        {
            // Reported as it happened (Failure).
        }
    }
}

/// <summary>A member's state as of an entry: the entry's index and term, and the latest instant its events carried.</summary>
internal sealed record Applied(State State, long Index, long Term, long Latest);

/// <summary>What the leader attaches to an entry it appends: its term then, and the engine's ticket for the batch.</summary>
internal sealed record OwnEntry(long Term, long Ticket);
