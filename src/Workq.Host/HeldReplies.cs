using Workq.Domain;

namespace Workq.Host;

/// <summary>
/// A batch's replies (and the connections it closes) waiting until the command log is on
/// disk up to <see cref="Position"/>: with sync <c>always</c> nothing is acknowledged before.
/// </summary>
internal sealed record HeldReplies(long Position, List<Outbound> Replies, List<long> Disconnects);
