using System.Net;
using System.Net.Sockets;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workq.Domain;
using Workq.Host.CommandLog;
using Workq.Host.Configuration;
using Workq.Host.Engine;
using Workq.Host.Network;

namespace Workq.Host.Cluster;

/// <summary>
/// This server as a member of a cluster (DotNext's Raft over TCP): its replicated log
/// and state, its membership, and whose turn it is to serve clients. While this member
/// leads, its engine decides and replicates through a <see cref="Replicator"/>; when
/// leadership ends, the engine answers what is committed, drops the rest unanswered and
/// closes its clients, and the client port relays to the new leader.
/// </summary>
/// <remarks>
/// Started before the engine and the listener, stopped after them. Its data lives in
/// <c>DIR/raft</c> of <c>-cmdlog-path DIR</c>: the log (<c>wal/</c>), the snapshots
/// (<c>snapshots/</c>) and the membership (<c>members</c>).
/// </remarks>
internal sealed class ClusterNode(
    ServerOptions options, EngineInbox inbox, Listener listener, LeaderRelay relay, TimeProvider time,
    ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    : IHostedService
{
    private readonly ILogger logger = loggers.CreateLogger<ClusterNode>();
    private readonly CancellationTokenSource stopping = new();
    private DirectoryLock? directoryLock;
    private MemberDirectory? directory;
    private ReplicatedState? state;
    private WriteAheadLog? wal;
    private MemberStore? members;
    private RaftCluster? cluster;
    private MembershipAdmin? admin;
    private Task leading = Task.CompletedTask;
    private volatile Replicator? replicator;
    private int leaderVersion;
    private string leaderClient = "";
    private long leadersSeen;

    private ClusterOptions Options => options.Cluster;

    /// <summary>The address this member's clients reach it at, as it announces it to the others.</summary>
    public string ClientAddress { get; private set; } = "";

    /// <summary>Whether this member serves clients now.</summary>
    public bool Leads => replicator is not null;

    /// <summary>Set once started.</summary>
    public RaftCluster Raft => cluster ?? throw new InvalidOperationException("The cluster member has not started.");

    /// <summary>The committed state, folded from the log.</summary>
    public ReplicatedState State => state ?? throw new InvalidOperationException("The cluster member has not started.");

    /// <summary>The index of the last entry this member applied (or took in with a snapshot).</summary>
    public long AppliedIndex => wal?.LastAppliedIndex ?? 0;

    /// <summary>The index of the last entry this member knows committed.</summary>
    public long CommitIndex => wal?.LastCommittedEntryIndex ?? 0;

    /// <summary>Snapshots taken from a leader since this member started.</summary>
    public long SnapshotInstalls => state?.Installs ?? 0;

    /// <summary>Leaders this member has learnt of since it started (one per election it saw won, its own included).</summary>
    public long LeadersSeen => Interlocked.Read(ref leadersSeen);

    /// <summary>
    /// Takes the data directory and loads the newest snapshot: before the server starts,
    /// so that a bad setting or directory stops it with a message
    /// (<see cref="InvalidSettingException"/>, <see cref="CommandLogException"/>).
    /// </summary>
    public void Prepare()
    {
        if (state is not null)
            return;
        if (options.CommandLog.Path is null)
            throw new InvalidSettingException("-cluster-listen needs -cmdlog-path: a member keeps its log and snapshots there");
        var dir = new MemberDirectory(Path.GetFullPath(options.CommandLog.Path));
        Directory.CreateDirectory(dir.Path);
        directoryLock = DirectoryLock.Acquire(dir.Path);
        try
        {
            dir.Prepare();
            var restored = new ReplicatedState(
                dir.Snapshots, options.CommandLog.CleanInterval, Options.RequestTimeout, time, loggers.CreateLogger<ReplicatedState>(), Fatal);
            restored.Restore();
            directory = dir;
            state = restored;
        }
        catch
        {
            directoryLock.Dispose();
            directoryLock = null;
            throw;
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Prepare();
        IPEndPoint self = Options.Listen!;
        wal = directory!.OpenLog(options.CommandLog.SegmentSize, state!);
        members = new MemberStore(directory.Members);
        await SeedMembersAsync(self, cancellationToken);
        ClientAddress = AdvertisedClientAddress(self);
        var configuration = new RaftCluster.TcpConfiguration(self)
        {
            LowerElectionTimeout = Options.ElectionTimeout.Lower,
            UpperElectionTimeout = Options.ElectionTimeout.Upper,
            RequestTimeout = Options.RequestTimeout,
            // An empty membership means a new member waiting to be added, never a cluster of one.
            ColdStart = false,
            ConfigurationStorage = members,
            LoggerFactory = loggers,
        };
        configuration.Metadata[MembershipAdmin.ClientKey] = ClientAddress;
        cluster = new RaftCluster(configuration) { AuditTrail = wal };
        cluster.LeaderChanged += OnLeaderChanged;
        admin = new MembershipAdmin(cluster, inbox, loggers.CreateLogger<MembershipAdmin>());
        try
        {
            await cluster.StartAsync(cancellationToken);
        }
        catch (SocketException e)
        {
            throw new ListenAddressException($"cannot listen on {self} (-cluster-listen): {e.Message}", e);
        }
        leading = Task.Run(LeadAsync);
        logger.LogInformation(
            "Cluster member {Self}: clients at {Client}; log at index {Applied}",
            self, ClientAddress, state!.Current.Index);
    }

    /// <summary>
    /// The first start of a founding member writes the founding members down; later
    /// starts go by what was written (members added or removed since). A member not
    /// among the founders starts with none, and waits to be added.
    /// </summary>
    private async Task SeedMembersAsync(IPEndPoint self, CancellationToken cancellationToken)
    {
        var storage = (IClusterConfigurationStorage<EndPoint>)members!;
        IClusterConfiguration<EndPoint> stored = await storage.LoadConfigurationAsync(cancellationToken);
        if (stored.Members.Count > 0)
        {
            if (Options.Peers.Count > 0 && !stored.Members.SetEquals(Options.Peers))
                logger.LogInformation(
                    "The members are {Members} as last changed; -cluster-peers names the founders only", string.Join(", ", stored.Members));
            return;
        }
        if (!Options.Peers.Contains(self))
        {
            logger.LogWarning("{Self} is not among -cluster-peers: a new member, it waits to be added (workq cluster add {Self})", self, self);
            return;
        }
        IClusterConfiguration<EndPoint> founders = stored;
        foreach (IPEndPoint peer in Options.Peers)
            founders = founders.Add(peer);
        await storage.SaveConfigurationAsync(founders, 0L, cancellationToken);
    }

    /// <summary>The client address as the other members can reach it: the Raft address's host when listening on every interface.</summary>
    private string AdvertisedClientAddress(IPEndPoint self)
    {
        IPEndPoint client = listener.EndPoint;
        if (client.Address.Equals(IPAddress.Any) || client.Address.Equals(IPAddress.IPv6Any))
            client = new IPEndPoint(self.Address, client.Port);
        return client.ToString();
    }

    /// <summary>
    /// Serves clients for each term this member leads: the engine decides from the
    /// committed state, and what it decides is replicated before it is answered.
    /// </summary>
    private async Task LeadAsync()
    {
        CancellationToken stop = stopping.Token;
        RaftCluster raft = cluster!;
        while (!stop.IsCancellationRequested)
        {
            CancellationToken leadership;
            long term;
            try
            {
                leadership = await raft.WaitForLeadershipAsync(stop);
                term = await TermOfLeadershipAsync(leadership);
                // Entries without a payload (the new leader's first) do not wait for a snapshot being read.
                await state!.SettledAsync().WaitAsync(leadership);
            }
            catch (Exception e) when (e is OperationCanceledException or QuorumUnreachableException or ObjectDisposedException)
            {
                if (!stop.IsCancellationRequested)
                    await Task.Delay(100, CancellationToken.None);
                continue;
            }
            if (leadership.IsCancellationRequested)
                continue;

            Applied committed = state!.Current;
            var serving = new Replicator(
                raft, wal!, term, leadership, inbox, admin!, ClientAddress, loggers.CreateLogger<Replicator>());
            replicator = serving;
            inbox.Post(new EngineMessage.Attach(serving, committed.State, committed.Latest));
            relay.ServeHere();
            logger.LogInformation(
                "Leading the cluster in term {Term}: serving clients from index {Index}, {Jobs} jobs",
                term, committed.Index, committed.State.Jobs.Count);

            await EndOfAsync(leadership, stop);

            replicator = null;
            relay.NoLeader();
            // Membership requests under way answer first (removing this member ends its leadership).
            await admin!.SettleAsync(TimeSpan.FromSeconds(5));
            OwnEntry own = state.LastOwn;
            long durable = Math.Max(serving.Durable, own.Term == term ? own.Ticket : 0);
            inbox.Post(new EngineMessage.Detach(durable));
            await serving.DisposeAsync();
            if (!stop.IsCancellationRequested)
                logger.LogInformation("No longer leading the cluster (term {Term}); its clients are closed", term);
        }
    }

    /// <summary>
    /// The term this leadership began in: that of the entry the new leader appended and
    /// applied before its leadership was granted (and of a cluster of one, the log's).
    /// Read while still leading, so no later leader's entry can be there yet.
    /// </summary>
    private async Task<long> TermOfLeadershipAsync(CancellationToken leadership)
    {
        long applied = wal!.LastAppliedIndex;
        if (cluster!.Members.Count == 1 || applied == 0)
            return cluster.AuditTrail.Term;
        using var entries = await wal.ReadAsync(applied, applied, leadership);
        return entries[0].Term;
    }

    private static async Task EndOfAsync(CancellationToken leadership, CancellationToken stop)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onLoss = leadership.Register(() => ended.TrySetResult());
        await using var onStop = stop.Register(() => ended.TrySetResult());
        await ended.Task;
    }

    /// <summary>
    /// Raised inside DotNext's state changes: only notes the change and looks the new
    /// leader's client address up elsewhere.
    /// </summary>
    private void OnLeaderChanged(RaftCluster<RaftClusterMember> raft, RaftClusterMember? leader)
    {
        int version = Interlocked.Increment(ref leaderVersion);
        if (leader is not null)
            Interlocked.Increment(ref leadersSeen);
        if (leader is { IsRemote: false })
        {
            if (Leads)
                return;
            _ = Task.Run(() => HastenLeadershipAsync(raft, version));
        }
        // This member serves once its engine has the state (LeadAsync), not before.
        relay.NoLeader();
        Volatile.Write(ref leaderClient, "");
        if (leader is { IsRemote: true })
            _ = Task.Run(() => FollowAsync(leader, version));
        logger.LogInformation("Leader: {Leader}", leader?.EndPoint.ToString() ?? "none");
    }

    /// <summary>
    /// A new leader serves once its first entry is committed, and DotNext's first round
    /// after an election sends it no entries (its followers' next index starts after that
    /// entry), so the entry would wait a whole heartbeat period for the second round:
    /// rounds are forced back to back until the engine serves.
    /// </summary>
    private async Task HastenLeadershipAsync(RaftCluster<RaftClusterMember> raft, int version)
    {
        // Not the leadership token: DotNext sets it up only after raising the change.
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        patience.CancelAfter(TimeSpan.FromMilliseconds(Options.ElectionTimeout.Upper * 4));
        try
        {
            while (!Leads && Volatile.Read(ref leaderVersion) == version && !patience.IsCancellationRequested)
                await raft.ForceReplicationAsync(patience.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or NotLeaderException or ObjectDisposedException)
        {
            // Leadership ended, the member stops, or it took long enough: the heartbeats carry on.
        }
    }

    /// <summary>Relays clients to the new leader once its client address is known.</summary>
    private async Task FollowAsync(RaftClusterMember leader, int version)
    {
        for (int attempt = 0; attempt < 10 && Volatile.Read(ref leaderVersion) == version && !stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                // Refreshed: a leader that restarted may listen on another client port.
                var metadata = await leader.GetMetadataAsync(refresh: true, timeout.Token);
                if (metadata.TryGetValue(MembershipAdmin.ClientKey, out string? text)
                    && ListenAddress.TryParse(text, out IPEndPoint? client))
                {
                    if (Volatile.Read(ref leaderVersion) == version)
                    {
                        Volatile.Write(ref leaderClient, client.ToString());
                        relay.RelayTo(client);
                    }
                    return;
                }
                logger.LogWarning("The leader {Leader} announces no client address", leader.EndPoint);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                logger.LogDebug("Asking the leader {Leader} for its client address failed: {Reason}", leader.EndPoint, e.Message);
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Where this member stands: it leads once its engine serves; it follows a leader it
    /// knows; it is a candidate (or between leaders) when it knows none; standby while it
    /// is not a member (not yet added, or removed).
    /// </summary>
    public NodeRole Role() =>
        cluster is not { } raft ? NodeRole.Candidate
        : Leads ? NodeRole.Leader
        : raft.Standby ? NodeRole.Standby
        : raft.Leader is { IsRemote: true } ? NodeRole.Follower
        : NodeRole.Candidate;

    /// <summary>The Raft term this member is in (0 before it started).</summary>
    public long Term => cluster?.AuditTrail.Term ?? 0;

    /// <summary>The leader's client address: this member's own while it leads; empty while none is known.</summary>
    public string LeaderClientAddress => Leads ? ClientAddress : Volatile.Read(ref leaderClient);

    /// <summary>A member that cannot apply the log stops, rather than drift apart from the others.</summary>
    private void Fatal(string message)
    {
        logger.LogCritical("{Problem}", message);
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (cluster is not null)
        {
            // Steps down (the leadership token is cancelled), without handing over: the
            // others elect a leader once their election timeout passes.
            await cluster.StopAsync(cancellationToken);
        }
        await leading;
        relay.Dispose();
        if (cluster is not null)
        {
            cluster.LeaderChanged -= OnLeaderChanged;
            await cluster.DisposeAsync();
        }
        if (wal is not null)
            await wal.DisposeAsync();
        if (state is not null)
            await state.DisposeAsync();
        members?.Dispose();
        directoryLock?.Dispose();
        directoryLock = null;
    }
}

/// <summary>A member's part in its cluster.</summary>
internal enum NodeRole
{
    Leader,
    Follower,
    Candidate,
    Standby,
}
