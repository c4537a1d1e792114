using Workq.Host.CommandLog;

namespace Workq.Host.Engine;

/// <summary>What the engine started from: the command log (null: in memory), the events replayed from it, the jobs, and how long it took.</summary>
internal sealed record RestoreSummary(CommandLogSettings? Log, int Events, int Jobs, TimeSpan Elapsed);
