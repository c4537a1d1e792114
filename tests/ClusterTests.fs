/// Clusters of three in-process members on loopback ports: replication, relaying,
/// failover, catching up, membership. Timing is never asserted: every wait is generous,
/// so that a loaded machine slows the tests down rather than failing them.
module Workq.Tests.ClusterTests

open System
open System.Threading.Tasks
open Expecto
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
    ]

[<Tests>]
let tests = testSequenced <| testList "cluster" [ basics ]
