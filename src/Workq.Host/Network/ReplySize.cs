using Microsoft.FSharp.Collections;
using Workq.Domain;

namespace Workq.Host.Network;

/// <summary>
/// How many bytes a reply will take on the wire, near enough for flow control (a little
/// over, never far under): a reply waits as a value and becomes bytes only as its
/// connection's socket takes them, but it counts against the connection's cap at once.
/// </summary>
internal static class ReplySize
{
    // A job record beyond its payload: keys, numbers, times and a name of up to 255 bytes.
    private const long JobRecordOverhead = 512;
    private const long QueueRecordBytes = 384;
    private const long LineBytes = 64;

    // A failed job's keys after the job's: when it failed, the result's size and key.
    private const long FailedKeysOverhead = 3 * LineBytes;

    public static long Of(Reply reply) => reply switch
    {
        Reply.JobRecords records => LineBytes + Jobs(records.Item),
        Reply.LeaseOf lease => LineBytes + JobRecordOverhead + lease.Item.Payload.Length,
        Reply.LeaseCountedOf lease => LineBytes + JobRecordOverhead + lease.Item.Payload.Length,
        Reply.ResultOf result => 2 * LineBytes + result.Item2.Data.Length,
        Reply.QueueRecords queues => LineBytes + QueueRecordBytes * queues.Item.Length,
        Reply.ServerRecord server => LineBytes * (9 + server.Item.HostKeys.Length),
        Reply.FailedRecords failed => LineBytes + Failed(failed.Item),
        Reply.RecurrenceRecords recurrences => LineBytes + Recurrences(recurrences.Item),
        _ => LineBytes,
    };

    /// <summary>
    /// Whether a request may be answered with records of data (up to a page of 100 jobs of
    /// 1 MiB, with their results, or of definitions): its connection posts nothing more
    /// until it is answered, so a client that does not read can have at most one such
    /// reply beyond its cap, however it pipelines.
    /// </summary>
    public static bool MayBeLarge(Command command) =>
        command is Command.Inspect
        {
            Item: Inspection.InspectJob or Inspection.InspectJobs or Inspection.InspectScheduledJobs
                or Inspection.InspectFailedJobs or Inspection.InspectRecurring
        };

    private static long Jobs(FSharpList<Job> jobs)
    {
        long bytes = 0;
        for (var rest = jobs; !rest.IsEmpty; rest = rest.Tail)
            bytes += JobRecordOverhead + rest.Head.Payload.Length;
        return bytes;
    }

    private static long Failed(FSharpList<FailedJob> failed)
    {
        long bytes = 0;
        for (var rest = failed; !rest.IsEmpty; rest = rest.Tail)
        {
            Job job = rest.Head.Job;
            long result = job.Status is Status.Finished finished ? finished.Item.Data.Length : 0;
            bytes += JobRecordOverhead + FailedKeysOverhead + job.Payload.Length + result;
        }
        return bytes;
    }

    // A definition's keys beside its payload and expression: as a job's, and a second name.
    private static long Recurrences(FSharpList<Recurrence> recurrences)
    {
        long bytes = 0;
        for (var rest = recurrences; !rest.IsEmpty; rest = rest.Tail)
            bytes += JobRecordOverhead + LineBytes + RecurrenceModule.storedBytes(rest.Head);
        return bytes;
    }
}
