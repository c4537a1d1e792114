using System.Net;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;
using Workq.Domain;
using Workq.Host.Configuration;
using Workq.Host.Engine;

namespace Workq.Host.Cluster;

/// <summary>
/// <c>cluster status</c>, <c>cluster add</c> and <c>cluster remove</c>, on the leader:
/// run off the engine (adding a member waits for it to catch up), each answered in its
/// connection's turn with <see cref="EngineMessage.Answer"/>.
/// </summary>
internal sealed class MembershipAdmin(RaftCluster cluster, EngineInbox inbox, ILogger logger)
{
    /// <summary>The metadata key under which each member announces its client address.</summary>
    public const string ClientKey = "workq.client";

    /// <summary>How long adding a member may take, its catching up included.</summary>
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock gate = new();
    private readonly HashSet<Task> running = [];

    public void Start(long conn, ClusterRequest request, CancellationToken leadership)
    {
        Task task = Task.Run(() => AnswerAsync(conn, request, leadership));
        lock (gate)
            running.Add(task);
        _ = task.ContinueWith(done =>
        {
            lock (gate)
                running.Remove(done);
        }, TaskScheduler.Default);
    }

    /// <summary>
    /// Waits (a little) for the requests under way to answer: leadership has ended, and
    /// their answers must reach the engine before it stops serving.
    /// </summary>
    public async Task SettleAsync(TimeSpan patience)
    {
        Task[] under;
        lock (gate)
            under = [.. running];
        if (under.Length > 0)
            await Task.WhenAny(Task.WhenAll(under), Task.Delay(patience));
    }

    private async Task AnswerAsync(long conn, ClusterRequest request, CancellationToken leadership)
    {
        Reply reply;
        try
        {
            reply = request switch
            {
                ClusterRequest.AddMember add => await AddAsync(add.Item, leadership),
                ClusterRequest.RemoveMember remove => await RemoveAsync(remove.Item, leadership),
                _ => await StatusAsync(leadership),
            };
        }
        catch (Exception e) when (e is OperationCanceledException or LeaderOperationException or QuorumUnreachableException)
        {
            reply = Reply.NewServerError("Leadership moved during the request; ask again");
        }
        catch (RaftCluster<RaftClusterMember>.ConcurrentMembershipModificationException)
        {
            reply = Reply.NewServerError("Another membership change is under way; ask again when it is done");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Cluster request {Request} failed", request);
            reply = Reply.NewServerError($"The cluster request failed: {e.Message}");
        }
        inbox.Post(new EngineMessage.Answer(conn, reply));
    }

    private async Task<Reply> StatusAsync(CancellationToken leadership)
    {
        var records = new List<MemberStats>();
        foreach (RaftClusterMember member in cluster.Members)
        {
            if (MemberAddressModule.tryCreate(member.EndPoint.ToString() ?? "") is not { } found)
                continue;
            MemberAddress address = found.Value;
            string status = !member.IsRemote ? "available" : member.Status switch
            {
                ClusterMemberStatus.Available => "available",
                ClusterMemberStatus.Unavailable => "unavailable",
                _ => "unknown",
            };
            records.Add(new MemberStats(address, await ClientAddressAsync(member, leadership), member.IsLeader ? "leader" : "follower", status));
        }
        records.Sort((a, b) => string.CompareOrdinal(a.Address.Value, b.Address.Value));
        return Reply.NewMemberRecords(ListModule.OfSeq(records));
    }

    /// <summary>The member's client address, as it announced it; empty when it cannot be asked.</summary>
    private static async Task<string> ClientAddressAsync(RaftClusterMember member, CancellationToken leadership)
    {
        if (member.TryGetMetadata() is { } known && known.TryGetValue(ClientKey, out string? cached))
            return cached;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(leadership);
            timeout.CancelAfter(MetadataTimeout);
            var metadata = await member.GetMetadataAsync(refresh: false, timeout.Token);
            return metadata.TryGetValue(ClientKey, out string? client) ? client : "";
        }
        catch (Exception e) when (e is not OperationCanceledException || !leadership.IsCancellationRequested)
        {
            return "";
        }
    }

    private async Task<Reply> AddAsync(MemberAddress address, CancellationToken leadership)
    {
        IPEndPoint endPoint = EndPointOf(address);
        if (IsMember(endPoint))
            return Reply.NewServerError($"{address} is a member already");
        logger.LogInformation("Adding {Member} to the cluster", address);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(leadership);
        timeout.CancelAfter(ChangeTimeout);
        bool added;
        try
        {
            added = await cluster.AddMemberAsync(endPoint, timeout.Token);
        }
        catch (OperationCanceledException) when (!leadership.IsCancellationRequested)
        {
            added = false;
        }
        if (!added)
            return Reply.NewServerError(
                $"{address} did not catch up within {ChangeTimeout.TotalSeconds:0} s: start it first, with -cluster-listen {address}");
        await SettledAsync(endPoint, member: true, leadership);
        logger.LogInformation("Added {Member} to the cluster", address);
        return Reply.Done;
    }

    private async Task<Reply> RemoveAsync(MemberAddress address, CancellationToken leadership)
    {
        IPEndPoint endPoint = EndPointOf(address);
        if (!IsMember(endPoint))
            return Reply.NewServerError($"{address} is not a member");
        logger.LogInformation("Removing {Member} from the cluster", address);
        if (!await cluster.RemoveMemberAsync(endPoint, leadership))
            return Reply.NewServerError($"{address} could not be removed; ask again");
        await SettledAsync(endPoint, member: false, leadership);
        logger.LogInformation("Removed {Member} from the cluster; stop it", address);
        return Reply.Done;
    }

    /// <summary>
    /// Waits (a little) until the leader's list of members shows a committed change: it
    /// follows the commit, and a <c>cluster status</c> right after the reply must show it.
    /// The change is made whatever happens here: a leader that removed itself stops
    /// leading meanwhile, and its answer is still that the change was made.
    /// </summary>
    private async Task SettledAsync(IPEndPoint endPoint, bool member, CancellationToken leadership)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(leadership);
        timeout.CancelAfter(ChangeTimeout);
        try
        {
            while (IsMember(endPoint) != member)
                await Task.Delay(5, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            if (!leadership.IsCancellationRequested)
                logger.LogWarning("The list of members did not show the change to {Member} in time", endPoint);
        }
    }

    private bool IsMember(IPEndPoint endPoint) => cluster.Members.Any(m => endPoint.Equals(m.EndPoint));

    private static IPEndPoint EndPointOf(MemberAddress address) =>
        ListenAddress.TryParse(address.Value, out IPEndPoint? endPoint)
            ? endPoint
            : throw new ArgumentException($"{address} is not an address", nameof(address));
}
