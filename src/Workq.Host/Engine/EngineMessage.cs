using System.Diagnostics;
using Workq.Domain;
using Workq.Host.Metrics;

namespace Workq.Host.Engine;

/// <summary>What the engine's inbox carries.</summary>
internal abstract record EngineMessage
{
    private EngineMessage() { }

    /// <summary>A new connection: the engine registers where its replies go, then decides <c>Connect</c>.</summary>
    public sealed record Opened(long Conn, IReplyTarget Replies) : EngineMessage;

    /// <summary>An input for the decider.</summary>
    public sealed record Decide(Input Input) : EngineMessage
    {
        /// <summary>When the request arrived (a <see cref="Stopwatch"/> timestamp), for its latency.</summary>
        public long Posted { get; } = Stopwatch.GetTimestamp();

        /// <summary>The command a request that did not parse names (<see cref="CommandNames"/>).</summary>
        public int Command { get; init; } = CommandNames.Unknown;
    }

    /// <summary>
    /// A reply the host makes itself (a server error, a connection's answer to a token),
    /// sent in the connection's order.
    /// </summary>
    public sealed record Answer(long Conn, Reply Reply) : EngineMessage
    {
        /// <summary>The command answered (<see cref="CommandNames"/>).</summary>
        public int Command { get; init; } = CommandNames.Unknown;
    }

    /// <summary>Messages of one connection in their order, decided in one batch.</summary>
    public sealed record Many(EngineMessage[] Messages) : EngineMessage;

    /// <summary>
    /// The engine decides from now on, starting from <paramref name="State"/>, with its
    /// clock never before <paramref name="NotBefore"/>, and hands its batches to
    /// <paramref name="Log"/>. (A cluster member whose turn it is to serve.)
    /// </summary>
    public sealed record Attach(ILogSink Log, State State, long NotBefore) : EngineMessage;

    /// <summary>
    /// The log is gone: the batches held up to <paramref name="LastDurable"/> are answered,
    /// the rest are dropped unanswered, every client is closed, and nothing is decided
    /// until the next <see cref="Attach"/>. (A cluster member that no longer serves.)
    /// </summary>
    public sealed record Detach(long LastDurable) : EngineMessage;

    /// <summary>The batches held up to <paramref name="Ticket"/> are durable: their replies may leave.</summary>
    public sealed record Durable(long Ticket) : EngineMessage;

    public static readonly EngineMessage Tick = new Decide(Input.Tick);
}
