using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Win32.SafeHandles;

namespace Workq.Host.Metrics;

/// <summary>
/// What the command log does on disk: appends (one per batch) and their bytes, fsyncs and
/// how long they take, compactions. The counts are plain fields that the instruments read
/// when collected, so counting costs an increment; one not attached to a meter (the
/// log tools', the tests') only counts.
/// </summary>
internal sealed class CommandLogMetrics
{
    private readonly Histogram<double>? fsyncDuration;
    private long appends;
    private long bytes;
    private long fsyncs;
    private long writeFailures;
    private long compactions;
    private long compactionFailures;

    public CommandLogMetrics()
    {
    }

    public CommandLogMetrics(ServerMeter serverMeter)
    {
        Meter meter = serverMeter.Meter;
        meter.CreateObservableCounter("workq.cmdlog.appends", () => Volatile.Read(ref appends), "{append}",
            "Appends to the command log: one write per batch of commands that changed something");
        meter.CreateObservableCounter("workq.cmdlog.written", () => Volatile.Read(ref bytes), "By",
            "Bytes appended to the command log");
        meter.CreateObservableCounter("workq.cmdlog.write_failures", () => Volatile.Read(ref writeFailures), "{append}",
            "Appends that failed (a full disk, an I/O error): their changes were refused");
        meter.CreateObservableCounter("workq.cmdlog.fsyncs", () => Volatile.Read(ref fsyncs), "{fsync}",
            "Forced writes of the command log to disk");
        fsyncDuration = meter.CreateHistogram<double>("workq.cmdlog.fsync.duration", "s", "How long an fsync of the command log took",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets.Fsync });
        meter.CreateObservableCounter("workq.cmdlog.compactions",
            () => new[]
            {
                new Measurement<long>(Volatile.Read(ref compactions), new KeyValuePair<string, object?>(Attributes.Outcome, "ok")),
                new Measurement<long>(Volatile.Read(ref compactionFailures), new KeyValuePair<string, object?>(Attributes.Outcome, "failed")),
            },
            "{compaction}", "Compactions of the command log (a snapshot replacing the segments it covers)");
    }

    /// <summary>An append of <paramref name="length"/> bytes succeeded (the engine's thread).</summary>
    public void Appended(int length)
    {
        Volatile.Write(ref appends, appends + 1);
        Volatile.Write(ref bytes, bytes + length);
    }

    /// <summary>An append failed: nothing of it was kept (the engine's thread).</summary>
    public void AppendFailed() => Volatile.Write(ref writeFailures, writeFailures + 1);

    /// <summary>Forces <paramref name="file"/> to disk, counted and timed (any thread).</summary>
    public void Fsync(SafeFileHandle file)
    {
        long start = Stopwatch.GetTimestamp();
        RandomAccess.FlushToDisk(file);
        Interlocked.Increment(ref fsyncs);
        fsyncDuration?.Record(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>A compaction ended (the compactor's task; one at a time).</summary>
    public void Compacted(bool ok)
    {
        if (ok)
            Interlocked.Increment(ref compactions);
        else
            Interlocked.Increment(ref compactionFailures);
    }
}
