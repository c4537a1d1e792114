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

    /// <summary>A reply the host makes itself (a server error), sent in the connection's order.</summary>
    public sealed record Answer(long Conn, Reply Reply) : EngineMessage;

    /// <summary>Messages of one connection in their order, decided in one batch.</summary>
    public sealed record Many(EngineMessage[] Messages) : EngineMessage;

    public static readonly EngineMessage Tick = new Decide(Input.Tick);
}
