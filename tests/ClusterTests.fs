/// Clusters of three in-process members on loopback ports: replication, relaying,
/// failover, catching up, membership. Timing is never asserted: every wait is generous,
/// so that a loaded machine slows the tests down rather than failing them.
module Workq.Tests.ClusterTests

open System
open System.Collections.Concurrent
open System.IO
open System.Threading
open System.Threading.Tasks
open Expecto
open Microsoft.Extensions.Configuration
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Hosting
open Microsoft.Extensions.Logging
open Workq.Client
open Workq.Client.Hosting
open Workq.Tests.ServerFixture
open Workq.Tests.TcpTestClient
open Workq.Tests.ClusterFixture

let private addLine (id: Guid) = $"add {id} q 60000 600000 4\r\ndata\r\n"

/// Reads an `inspect server` record: its keys and values.
let private inspectServer (c: Client) =
    task {
        do! send c "inspect server\r\n"
        do! expect c "+OK 1\r\n"
        let! header = readLine c
        let count = int (header.Split(' ')[1])
        let keys = Collections.Generic.Dictionary<string, string>()
        for _ in 1..count do
            let! line = readLine c
            let space = line.IndexOf ' '
            keys[line.Substring(0, space)] <- line.Substring(space + 1)
        return keys
    }

let private httpOf (m: Member) =
    match m.Running.HttpEndPoint with
    | NonNull ep -> ep
    | Null -> failtest "no HTTP side"

/// The member's `/readyz` status, once it is `expected` (up to 30 s); fails otherwise.
let private readiness (m: Member) (expected: int) =
    task {
        let deadline = DateTime.UtcNow.AddSeconds 30.0
        let! status, body = OperationsTests.get (httpOf m) "/readyz"
        let mutable last = status, body
        while fst last <> expected && DateTime.UtcNow < deadline do
            do! Task.Delay 100
            let! now = OperationsTests.get (httpOf m) "/readyz"
            last <- now
        Expect.equal (fst last) expected $"/readyz of {m.Raft}: {snd last}"
        return snd last
    }

/// The member's role as its metrics say: the role whose gauge is 1.
let private roleMetric (m: Member) =
    task {
        let! samples = OperationsTests.scrape (httpOf m)
        let roles =
            [ "leader"; "follower"; "candidate"; "standby" ]
            |> List.filter (fun role -> OperationsTests.valueOf samples "workq_cluster_role" [ "workq_cluster_member_role", role ] = 1.0)
        return roles, samples
    }

let private basics =
    testList "basics" [
        testTask "a write through any member is answered by the leader and applied on every member" {
            do! withCluster 3 [] (fun c -> task {
                let! l = leader c
                let follower = running c |> List.find (fun m -> not (obj.ReferenceEquals(m, l)))
                use client = connect follower.Client |> fun t -> t.Result
                let id = Guid.NewGuid()
                do! send client (addLine id)
                do! expect client "+OK\r\n"
                let! server = inspectServer client
                Expect.equal server["role"] "leader" "answered by the leader"
                Expect.equal server["leader"] l.Node.ClientAddress "the leader's client address"
                Expect.isGreaterThanOrEqual (int64 server["term"]) 1L "a term"
                Expect.isGreaterThanOrEqual (int64 server["commit-index"]) 1L "a commit index"
                Expect.equal server["jobs"] "1" "the job"
                do! converged c
                for m in c.Members do
                    Expect.contains (jobIds m) (string id) $"{m.Raft} has the job"
            })
        }

        testTask "every member is ready while a leader is known, and its metrics say its role, term and indexes" {
            do! withCluster 3 [] (fun c -> task {
                let! l = leader c
                use client = connect l.Client |> fun t -> t.Result
                do! send client (addLine (Guid.NewGuid()))
                do! expect client "+OK\r\n"
                do! converged c
                for m in c.Members do
                    let! body = readiness m 200
                    Expect.stringContains body "\"leader\"" "the leader check"
                    let! roles, samples = roleMetric m
                    Expect.equal roles [ (if obj.ReferenceEquals(m, l) then "leader" else "follower") ] $"{m.Raft}'s role"
                    let metric name = OperationsTests.valueOf samples name []
                    Expect.equal (metric "workq_cluster_term") (float l.Node.Term) "the leader's term"
                    Expect.isGreaterThanOrEqual (metric "workq_cluster_applied_index") 1.0 "an entry applied"
                    Expect.isGreaterThanOrEqual (metric "workq_cluster_commit_index") (metric "workq_cluster_applied_index") "applied no further than committed"
                    Expect.isGreaterThanOrEqual (metric "workq_cluster_elections_total") 1.0 "the election it saw"
                // A member alone, its peers gone, knows no leader: not ready.
                for m in c.Members do
                    if not (obj.ReferenceEquals(m, l)) then do! stop m
                do! waitUntil 60.0 "the leader to step down" (fun () -> not l.Node.Leads)
                let! _ = readiness l 503
                let! roles, _ = roleMetric l
                Expect.equal roles [ "candidate" ] "no leader known"
            })
        }
    ]

let private isLeader (m: Member) = m.Server.IsSome && m.Node.Leads

let private others (c: TestCluster) (m: Member) = running c |> List.filter (fun o -> not (obj.ReferenceEquals(o, m)))

let private failover =
    testList "failover" [
        testTask "the leader stops under load: nothing acknowledged is lost, a new leader serves, and the old one catches up" {
            do! withCluster 3 [] (fun c -> task {
                let! first = leader c
                let load = Load(clientAddresses c, 4)
                do! waitUntil 60.0 "writes before the stop" (fun () -> load.Acked.Length >= 50)
                let stoppedAt = DateTime.UtcNow
                do! stop first
                do! waitUntil 60.0 "a new leader" (fun () -> running c |> List.exists isLeader)
                do! waitUntil 60.0 "writes acknowledged by the new leader" (fun () -> load.AckedSince stoppedAt >= 20)
                do! load.StopAsync()
                let acked = load.Acked
                do! converged c
                for m in running c do
                    hasAll acked m
                // Restarted on its directory, the old leader catches up as a follower.
                do! start c first
                do! converged c
                for m in c.Members do
                    hasAll acked m
            })
        }

        testTask "a follower stopped while writes go on catches up from the log when it starts again" {
            do! withCluster 3 [] (fun c -> task {
                let! l = leader c
                let follower = others c l |> List.head
                do! stop follower
                let load = Load(clientAddresses c, 2)
                do! waitUntil 60.0 "writes while it is down" (fun () -> load.Acked.Length >= 100)
                do! start c follower
                do! waitUntil 60.0 "writes after it started" (fun () -> load.Acked.Length >= 150)
                do! load.StopAsync()
                do! converged c
                Expect.equal follower.Node.State.Installs 0L "caught up from the log, not a snapshot"
                hasAll load.Acked follower
            })
        }

        testTask "a member whose directory was wiped rejoins by the leader's snapshot, then the log" {
            // Small log files and frequent snapshots, so that the log is compacted soon.
            do! withCluster 3 [ "--cmdlog-seg-size"; "65536"; "--cmdlog-clean-int"; "200" ] (fun c -> task {
                let! l = leader c
                let victim = others c l |> List.head
                do! stop victim
                Directory.Delete(victim.Dir, true)
                let load = Load(clientAddresses c, 4, 1024)
                do! waitUntil 120.0 "the leader to snapshot past several log files" (fun () ->
                    match l.Node.State.Snapshot with
                    | null -> false
                    | snapshot -> snapshot.Index > 400L)
                do! start c victim
                do! waitUntil 60.0 "writes after it started" (fun () -> victim.Node.AppliedIndex > 0L)
                do! load.StopAsync()
                do! converged c
                Expect.isGreaterThanOrEqual victim.Node.State.Installs 1L "it took the leader's snapshot"
                hasAll load.Acked victim
            })
        }
    ]

let private membership =
    testList "membership" [
        testTask "a member added and removed under load, then the leader removed: the cluster serves throughout" {
            do! withCluster 3 [] (fun c -> task {
                let! _ = leader c
                let joiner = newMember c.Root (freePorts 1).Head
                let load = Load(clientAddresses c, 2)
                do!
                    tryFinallyTask
                        (fun () -> task {
                            // A member not among the founders starts empty and waits to be added.
                            do! start c joiner
                            let! _ = readiness joiner 503
                            let! roles, _ = roleMetric joiner
                            Expect.equal roles [ "standby" ] "not a member yet"
                            use admin = new WorkqClient(clientAddresses c)
                            do! waitUntil 60.0 "writes" (fun () -> load.Acked.Length >= 20)
                            do! admin.AddClusterMemberAsync joiner.Raft
                            let! members = admin.ClusterStatusAsync()
                            Expect.equal (members |> Seq.map _.Address |> Set.ofSeq) (Set.ofList (joiner.Raft :: (c.Members |> List.map _.Raft))) "four members"
                            Expect.equal (members |> Seq.filter (fun m -> m.Role = "leader") |> Seq.length) 1 "one leader"
                            let ackedWithFour = load.Acked.Length
                            do! waitUntil 60.0 "writes with four members" (fun () -> load.Acked.Length >= ackedWithFour + 50)
                            do! waitUntil 60.0 "the new member to apply the log" (fun () -> joiner.Node.AppliedIndex >= (running c |> List.find isLeader).Node.CommitIndex - 5L)

                            do! admin.RemoveClusterMemberAsync joiner.Raft
                            let! members = admin.ClusterStatusAsync()
                            Expect.equal members.Count 3 "three members again"
                            do! stop joiner

                            // The leader removes itself: it steps down, the others elect one of them.
                            // Its answer may be lost with the connection (a leader's relayed and own
                            // connections close when it stops leading): the members then tell.
                            let l = running c |> List.find isLeader
                            try
                                do! admin.RemoveClusterMemberAsync l.Raft
                            with :? WorkqConnectionException ->
                                ()
                            do! waitUntil 60.0 "a leader among the others" (fun () -> others c l |> List.exists isLeader)
                            do! stop l
                            let removedAt = DateTime.UtcNow
                            do! waitUntil 60.0 "writes served by the two left" (fun () -> load.AckedSince removedAt >= 20)
                            let! members = admin.ClusterStatusAsync()
                            Expect.equal (members |> Seq.map _.Address |> Set.ofSeq) (others c l |> List.map _.Raft |> Set.ofList) "two members"
                            do! load.StopAsync()
                            do! converged c
                            for m in running c do
                                hasAll load.Acked m
                        })
                        (fun () -> task {
                            do! load.StopAsync()
                            do! stop joiner
                        })
            })
        }

        testTask "cluster status, add and remove answer a server on its own with Not a cluster member" {
            do! withServer (fun ep -> task {
                use client = connect ep |> fun t -> t.Result
                do! send client "cluster status\r\n"
                do! expect client "-CLIENT-ERROR Not a cluster member\r\n"
                do! send client "cluster add 127.0.0.1:7001\r\n"
                do! expect client "-CLIENT-ERROR Not a cluster member\r\n"
                do! send client "cluster remove nowhere\r\n"
                do! expect client "-CLIENT-ERROR Invalid member address\r\n"
            })
        }
    ]

let private worker =
    testList "worker" [
        testTask "the hosted worker carries on after a failover: every job is completed" {
            do! withCluster 3 [] (fun c -> task {
                let! first = leader c
                let servers = String.Join(",", clientAddresses c)
                let handled = ConcurrentDictionary<Guid, int>()
                let builder = Host.CreateApplicationBuilder(HostApplicationBuilderSettings(DisableDefaults = true))
                builder.Configuration.AddInMemoryCollection(dict [ "Workq:Server", servers ]) |> ignore
                builder.Logging.ClearProviders() |> ignore
                builder.Services.AddWorkqClient(builder.Configuration.GetSection "Workq") |> ignore
                builder.Services.AddWorkqWorker(
                    "work",
                    Func<LeasedJob, CancellationToken, Task<JobOutput>>(fun job _ ->
                        handled.AddOrUpdate(job.Id, 1, fun _ n -> n + 1) |> ignore
                        Task.FromResult(JobOutput.op_Implicit "done")),
                    fun o ->
                        o.Concurrency <- 4
                        o.LeaseWait <- TimeSpan.FromSeconds 1.0
                        o.RetryDelay <- TimeSpan.FromMilliseconds 100.0
                        o.MaxRetryDelay <- TimeSpan.FromSeconds 1.0)
                |> ignore
                use host = builder.Build()
                do! host.StartAsync()
                use producer = new WorkqClient(servers)
                /// Adds a job, again after a broken connection: a second add of the same id that
                /// finds it there is refused as a duplicate, which says the first one went through.
                let add (id: Guid) =
                    task {
                        let mutable added = false
                        while not added do
                            try
                                let! _ = producer.AddAsync(BackgroundJob(Id = id, Name = "work", Ttr = TimeSpan.FromSeconds 5.0, Ttl = TimeSpan.FromHours 1.0, PayloadText = "x"))
                                added <- true
                            with
                            | :? WorkqConnectionException -> do! Task.Delay 100
                            | :? WorkqClientErrorException as e when e.Text = "Duplicate job" -> added <- true
                    }
                let ids = [ for _ in 1..100 -> Guid.CreateVersion7() ]
                for id in List.take 50 ids do
                    do! add id
                do! waitUntil 60.0 "the first jobs handled" (fun () -> handled.Count >= 50)
                do! stop first
                for id in List.skip 50 ids do
                    do! add id
                /// A job's result, asked again after a broken connection.
                let result (id: Guid) =
                    task {
                        let mutable outcome = None
                        while outcome.IsNone do
                            try
                                let! r = producer.ResultAsync(id, TimeSpan.FromSeconds 30.0)
                                outcome <- Some r
                            with :? WorkqConnectionException -> do! Task.Delay 100
                        return outcome.Value
                    }
                for id in ids do
                    let! r = result id
                    Expect.isTrue r.Success $"job {id} completed"
                    Expect.equal r.ResultText "done" "its result"
                do! host.StopAsync()
            })
        }
    ]

[<Tests>]
let tests = testSequenced <| testList "cluster" [ basics; failover; membership; worker; ClusterProcessTests.processes ]
