using System.Threading.Channels;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;
using Workq.Domain;
using Workq.Host.CommandLog;
using Workq.Host.Engine;

namespace Workq.Host.Cluster;

/// <summary>
/// The leader's log, as its engine sees it, for one term of leadership: each batch that
/// changed a job becomes one entry of the replicated log, and its replies wait until a
/// majority has the entry. One task appends in the engine's order and confirms in rounds:
/// what the engine hands over during a round goes in the next (group commit), while the
/// engine goes on deciding on the state that includes it.
/// </summary>
/// <remarks>
/// <para>
/// Every entry is stamped with the term this leadership began in, never the log's
/// current term: DotNext raises the stored term before it steps a deposed leader down,
/// and an entry stamped with the new term in between would pass for the new leader's
/// own and never be overwritten, leaving this member apart from the others.
/// </para>
/// <para>
/// A batch that only read the state waits for a round that begins after it was decided
/// (a majority confirms this member still leads) and for the entries before it: a read
/// that is linearizable, never from a state that may be rolled back.
/// </para>
/// </remarks>
internal sealed class Replicator : ILogSink, IAsyncDisposable
{
    private readonly RaftCluster cluster;
    private readonly WriteAheadLog wal;
    private readonly long term;
    private readonly CancellationToken leadership;
    private readonly EngineInbox inbox;
    private readonly MembershipAdmin admin;
    private readonly string clientAddress;
    private readonly ILogger logger;
    private readonly EventBatch pending = new();
    private readonly Channel<Item> items = Channel.CreateUnbounded<Item>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task loop;
    private long durable;

    public Replicator(
        RaftCluster cluster, WriteAheadLog wal, long term, CancellationToken leadership, EngineInbox inbox,
        MembershipAdmin admin, string clientAddress, ILogger logger)
    {
        this.cluster = cluster;
        this.wal = wal;
        this.term = term;
        this.leadership = leadership;
        this.inbox = inbox;
        this.admin = admin;
        this.clientAddress = clientAddress;
        this.logger = logger;
        loop = Task.Run(ReplicateAsync);
    }

    /// <summary>The last ticket confirmed durable to the engine.</summary>
    public long Durable => Volatile.Read(ref durable);

    public bool HasPending => !pending.IsEmpty;

    public NodeStatus Node => new("leader", clientAddress, term, wal.LastCommittedEntryIndex);

    public void Add(FSharpList<Event> events) => pending.Add(events);

    public ValueTask<bool> CommitAsync(long ticket, BatchKind kind, State state)
    {
        Item? item = kind switch
        {
            BatchKind.Write => new Item(ticket, kind, pending.Records.ToArray()),
            BatchKind.Read or BatchKind.InTurn => new Item(ticket, kind, null),
            _ => null,
        };
        pending.Clear();
        if (item is null)
            return ValueTask.FromResult(false);
        items.Writer.TryWrite(item);
        return ValueTask.FromResult(true);
    }

    /// <summary>Compaction follows the members' own snapshots (<see cref="ReplicatedState"/>).</summary>
    public void CompactIfDue(State state, long now)
    {
    }

    public bool Administer(long conn, ClusterRequest request)
    {
        admin.Start(conn, request, leadership);
        return true;
    }

    private async Task ReplicateAsync()
    {
        ChannelReader<Item> reader = items.Reader;
        long lastIndex = 0;
        try
        {
            while (await reader.WaitToReadAsync(leadership))
            {
                long ticket = 0;
                bool confirm = false;
                long round = lastIndex;
                while (reader.TryRead(out Item? item))
                {
                    if (item.Records is { } records)
                    {
                        lastIndex = await wal.AppendAsync(
                            new BinaryLogEntry { Term = term, Content = records, Context = new OwnEntry(term, item.Ticket) },
                            leadership);
                    }
                    confirm |= item.Kind != BatchKind.InTurn;
                    ticket = item.Ticket;
                }
                if (confirm)
                {
                    // A round that begins now: a majority has what was appended so far, and
                    // still takes this member for its leader.
                    await cluster.ForceReplicationAsync(leadership);
                    if (lastIndex > round && wal.LastCommittedEntryIndex < lastIndex)
                        await wal.WaitForApplyAsync(lastIndex, leadership);
                }
                // An index says nothing of which entry is there: only while this member
                // still leads is the entry at that index its own.
                if (leadership.IsCancellationRequested)
                    break;
                Volatile.Write(ref durable, ticket);
                inbox.Post(new EngineMessage.Durable(ticket));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or LeaderOperationException or QuorumUnreachableException)
        {
            // Leadership ended: the cluster node detaches the engine.
        }
        catch (Exception e)
        {
            // The log cannot be written (a full disk, say): another member should lead.
            logger.LogError(e, "Replicating failed; giving up leadership");
            try
            {
                await ((DotNext.Net.Cluster.ICluster)cluster).ResignAsync(CancellationToken.None);
            }
            catch (Exception resign)
            {
                logger.LogError(resign, "Giving up leadership failed");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        items.Writer.TryComplete();
        await loop;
    }

    /// <summary>A batch handed over: its ticket, what it waits for, and its records if it has any.</summary>
    private sealed record Item(long Ticket, BatchKind Kind, byte[]? Records);
}
