using Microsoft.FSharp.Collections;
using Workq.Domain;

namespace Workq.Host.Engine;

/// <summary>
/// Where the engine hands each batch it decided, and whether the batch's replies may
/// leave now: the command log of a server on its own (durable once written, so at once),
/// or a cluster's replicated log (durable once a majority has it, so later: the log
/// posts <see cref="EngineMessage.Durable"/>). The engine calls it from its loop alone.
/// </summary>
internal interface ILogSink
{
    /// <summary>Gathers the logged events of one decision.</summary>
    void Add(FSharpList<Event> events);

    /// <summary>Whether events were gathered since the last commit.</summary>
    bool HasPending { get; }

    /// <summary>
    /// Hands over what was gathered. False: the batch is durable now, and its replies may
    /// leave. True: they wait for <see cref="EngineMessage.Durable"/> with this
    /// <paramref name="ticket"/> or a later one. <paramref name="state"/> is the state the
    /// batch leads to (what a compaction of the log would hold). Throws
    /// <see cref="IOException"/> when the events cannot be written; nothing was then written.
    /// </summary>
    ValueTask<bool> CommitAsync(long ticket, BatchKind kind, State state);

    /// <summary>Compacts the log if it is time to, from <paramref name="state"/>, which holds every batch handed over.</summary>
    void CompactIfDue(State state, long now);

    /// <summary>Where the server stands: the last keys of <c>inspect server</c>.</summary>
    NodeStatus Node { get; }

    /// <summary>
    /// Takes a request about the log itself (a cluster's membership), to be answered
    /// later with <see cref="EngineMessage.Answer"/>; false when the log has no such
    /// thing, and the decider answers it.
    /// </summary>
    bool Administer(long conn, ClusterRequest request);
}

/// <summary>What a batch needs before its replies may leave, besides its turn.</summary>
internal enum BatchKind
{
    /// <summary>No reply and no close: nothing waits on it.</summary>
    Quiet,

    /// <summary>Only replies the host made itself, and closes: they need only their turn.</summary>
    InTurn,

    /// <summary>Replies the decider read from the state, which changed nothing: the state they read must be confirmed.</summary>
    Read,

    /// <summary>Events to log: the replies wait until the events are durable.</summary>
    Write,
}
