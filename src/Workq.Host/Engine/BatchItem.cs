using Workq.Domain;

namespace Workq.Host.Engine;

/// <summary>
/// What the engine did in a batch, in order, so that the batch can be decided again if its
/// events cannot be logged: an input at its instant, or a reply the host made itself.
/// </summary>
internal readonly record struct BatchItem(long Now, Input? Input, Outbound Answer);
