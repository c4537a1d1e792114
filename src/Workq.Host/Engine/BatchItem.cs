using Workq.Domain;

namespace Workq.Host.Engine;

/// <summary>
/// What the engine did in a batch, in order, so that the batch can be decided again if its
/// events cannot be logged, and read for metrics once it is committed: an input at its
/// instant with its decision (null if the decider failed on it), or a reply the host made
/// itself. <see cref="Posted"/> is when a request arrived (a <see cref="System.Diagnostics.Stopwatch"/>
/// timestamp); <see cref="Command"/> names the command of a request that did not parse.
/// </summary>
internal readonly record struct BatchItem(long Now, Input? Input, Outbound Answer, Decision? Decision, long Posted, int Command);
