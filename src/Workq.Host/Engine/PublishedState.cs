using Workq.Domain;

namespace Workq.Host.Engine;

/// <summary>
/// The state as of the engine's last committed batch, for readers off the engine (the
/// HTTP side's health checks and gauges, the dashboard): after each batch the engine swaps
/// in its new state, a reference to an immutable value, so a reader takes one consistent
/// state with no lock and no copy, and nothing it does can hold the engine up.
/// </summary>
internal sealed class PublishedState
{
    private State? current;

    /// <summary>The latest state; null until the command log has been replayed.</summary>
    public State? Current => Volatile.Read(ref current);

    /// <summary>Called by the engine alone: once restored, then after each batch.</summary>
    public void Publish(State state) => Volatile.Write(ref current, state);
}
