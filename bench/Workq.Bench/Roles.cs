using System.Net.Sockets;

namespace Workq.Bench;

/// <summary>Adds jobs (or puts them) until the shared budget is spent.</summary>
public sealed class Producer(Socket socket, Dialect dialect, int depth, JobBudget adds, Progress? added)
    : Connection(socket, dialect, depth)
{
    protected override void Refill()
    {
        while (HasRoom && adds.TryTake()) WriteAdd();
    }

    protected override void OnReply(RequestKind kind, Reply reply, ReadOnlySpan<byte> buffer) => added?.Count();
}

/// <summary>
/// Leases jobs and completes each. Leases are taken from a budget of one per job, so
/// every lease sent will get a job and no blocked lease holds up a completion behind it.
/// In run mode the run clients count, not the workers.
/// </summary>
public sealed class Worker(Socket socket, Dialect dialect, int depth, JobBudget leases, Progress? completed)
    : Connection(socket, dialect, depth)
{
    protected override void Refill()
    {
        while (HasRoom && leases.TryTake()) WriteLease();
    }

    protected override void OnReply(RequestKind kind, Reply reply, ReadOnlySpan<byte> buffer)
    {
        switch (kind, reply.Kind)
        {
            case (RequestKind.Lease, ReplyKind.Record):
                // The lease's slot goes straight to its completion.
                WriteComplete(buffer.Slice(reply.IdStart, reply.IdLength));
                break;
            case (RequestKind.Lease, ReplyKind.Timeout):
                leases.Return();
                break;
            case (RequestKind.Complete, ReplyKind.Ok):
                completed?.Count();
                break;
        }
    }
}

/// <summary>Issues synchronous <c>run</c> requests and counts their results.</summary>
public sealed class RunClient(Socket socket, Dialect dialect, int depth, JobBudget runs, Progress finished)
    : Connection(socket, dialect, depth)
{
    protected override void Refill()
    {
        while (HasRoom && runs.TryTake()) WriteRun();
    }

    protected override void OnReply(RequestKind kind, Reply reply, ReadOnlySpan<byte> buffer) => finished.Count();
}
