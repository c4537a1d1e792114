using Microsoft.FSharp.Collections;
using Workq.Domain;

namespace Workq.Host.Engine;

/// <summary>A server without a command log: everything lives in memory, so every batch is as durable as it gets at once.</summary>
internal sealed class NoLog : ILogSink
{
    public static readonly NoLog Instance = new();

    private NoLog()
    {
    }

    public bool HasPending => false;

    public NodeStatus Node => NodeStatusModule.standalone;

    public void Add(FSharpList<Event> events)
    {
    }

    public ValueTask<bool> CommitAsync(long ticket, BatchKind kind, State state) => ValueTask.FromResult(false);

    public void CompactIfDue(State state, long now)
    {
    }

    public bool Administer(long conn, ClusterRequest request) => false;
}
