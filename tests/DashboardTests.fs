/// The dashboard over plain HTTP: its JSON against what `inspect` says over TCP, the
/// protection of its actions, and how it shows payloads.
module Workq.Tests.DashboardTests

open System
open System.Net
open System.Collections.Generic
open System.Net.Http
open System.Text
open System.Text.Json
open System.Text.RegularExpressions
open System.Threading.Tasks
open Expecto
open Workq.Host
open Workq.Host.Http.Dashboard
open Workq.Tests.ServerFixture
open Workq.Tests.TcpTestClient

let private baseOf (server: RunningServer) =
    match server.HttpEndPoint with
    | NonNull ep -> Uri $"http://{ep}"
    | Null -> failtest "the server has no HTTP side"

/// A client that keeps cookies, as a browser does, and does not follow redirects.
let private browserLike (server: RunningServer) =
    let handler = new HttpClientHandler(CookieContainer = CookieContainer(), AllowAutoRedirect = false)
    new HttpClient(handler, BaseAddress = baseOf server, Timeout = TimeSpan.FromSeconds 30.0)

let private withDashboard (body: RunningServer -> Task<unit>) =
    task {
        let! server = startServer [| "--listen"; "127.0.0.1:0" |]
        return! tryFinallyTask (fun () -> body server) (fun () -> task { do! server.DisposeAsync() })
    }

let private request (ep: IPEndPoint) (line: string) (payload: string option) =
    task {
        use! c = connect ep
        do! send c (line + "\r\n" + (payload |> Option.map (fun p -> p + "\r\n") |> Option.defaultValue ""))
        return! readLine c
    }

let private addJob (ep: IPEndPoint) (name: string) (payload: string) =
    task {
        let id = Guid.NewGuid().ToString()
        let! reply = request ep $"add {id} {name} 60000 600000 {payload.Length}" (Some payload)
        Expect.equal reply "+OK" "added"
        return id
    }

let private json (client: HttpClient) (path: string) =
    task {
        let! text = client.GetStringAsync(path: string)
        return JsonDocument.Parse(text).RootElement
    }

/// The CSRF token a page carries in its forms.
let private tokenOf (html: string) =
    let m = Regex.Match(html, "name=\"csrf\" value=\"([^\"]+)\"")
    Expect.isTrue m.Success "the page carries a CSRF token"
    m.Groups[1].Value

let private post (client: HttpClient) (path: string) (fields: (string * string) list) (origin: string option) =
    task {
        use message = new HttpRequestMessage(HttpMethod.Post, path)
        message.Content <- new FormUrlEncodedContent(fields |> List.map KeyValuePair.Create)
        origin |> Option.iter (fun o -> message.Headers.Add("Origin", o))
        return! client.SendAsync message
    }

[<Tests>]
let tests =
    testList "dashboard over HTTP" [
        testTask "the JSON API gives what inspect gives over TCP" {
            do!
                withDashboard (fun server ->
                    task {
                        let ep = server.EndPoint
                        let! first = addJob ep "mail" "one"
                        let! _ = addJob ep "mail" "two"
                        let at = DateTime.UtcNow.AddHours(1.0).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")
                        let! scheduled = request ep $"schedule {Guid.NewGuid()} mail 60000 600000 {at} 5" (Some "later")
                        Expect.equal scheduled "+OK" "scheduled"
                        use client = browserLike server
                        let! queue = json client "/api/queues/mail"
                        Expect.equal (queue.GetProperty("ready").GetInt32(), queue.GetProperty("scheduled").GetInt32()) (2, 1) "two ready, one scheduled"
                        let! page = json client "/api/queues/mail/jobs?list=ready&limit=1"
                        Expect.equal (page.GetProperty("total").GetInt32()) 2 "the list's total"
                        let jobs = page.GetProperty("jobs")
                        Expect.equal (jobs.GetArrayLength()) 1 "a page of one"
                        Expect.equal (jobs[0].GetProperty("id").GetString()) first "in lease order: the first added first"
                        let! job = json client ("/api/jobs/" + first)
                        Expect.equal (job.GetProperty("payload").GetBytesFromBase64() |> Encoding.ASCII.GetString) "one" "its payload"
                        Expect.equal (job.GetProperty("state").GetString()) "ready" "its state"
                        let! overview = json client "/api/overview"
                        Expect.equal (overview.GetProperty("jobs").GetProperty("total").GetInt32()) 3 "three jobs in all"
                        // A lease moves the first job to the leased list.
                        use! worker = connect ep
                        do! send worker "lease mail 5000\r\n"
                        let! leased = readLine worker
                        Expect.equal leased "+OK 1" "leased"
                        let! header = readLine worker
                        Expect.stringStarts header first "the first job"
                        let! leasedPage = json client "/api/queues/mail/jobs?list=leased"
                        Expect.equal (leasedPage.GetProperty("total").GetInt32()) 1 "one leased"
                        let leasedJob = leasedPage.GetProperty("jobs")[0]
                        Expect.equal (leasedJob.GetProperty("id").GetString()) first "the leased job"
                        Expect.equal (leasedJob.GetProperty("leaseEnds").ValueKind) JsonValueKind.String "with its lease's end"
                        // Its completion counts for the queue's rates, sampled once a second.
                        do! send worker $"complete {first} 2\r\nok\r\n"
                        let! _payload = readLine worker
                        let! completed = readLine worker
                        Expect.equal completed "+OK" "completed"
                        let deadline = DateTime.UtcNow.AddSeconds 20.0
                        let mutable rates = (0.0, 0.0)
                        while (fst rates = 0.0 || snd rates = 0.0) && DateTime.UtcNow < deadline do
                            let! q = json client "/api/queues/mail"
                            rates <- q.GetProperty("addedPerSecond").GetDouble(), q.GetProperty("completedPerSecond").GetDouble()
                            do! Task.Delay 200
                        Expect.isGreaterThan (fst rates) 0.0 "jobs added per second"
                        Expect.isGreaterThan (snd rates) 0.0 "jobs completed per second"
                        let! missing = client.GetAsync("/api/jobs/" + Guid.NewGuid().ToString())
                        Expect.equal missing.StatusCode HttpStatusCode.NotFound "an unknown job"
                        let! badName = client.GetAsync "/api/queues/no%20such/jobs"
                        Expect.equal badName.StatusCode HttpStatusCode.NotFound "not a queue name"
                        let! empty = json client "/api/queues/nothing-here"
                        Expect.equal (empty.GetProperty("ready").GetInt32()) 0 "a name with nothing in it: an empty queue"
                    })
        }

        testTask "a queue's list is paged: 25 to a page, with links to the next and the one before" {
            do!
                withDashboard (fun server ->
                    task {
                        for i in 1..30 do
                            let! _ = addJob server.EndPoint "paged" $"job{i}"
                            ()
                        use client = browserLike server
                        let! first = client.GetStringAsync "/queues/paged"
                        Expect.stringContains first "1–25 of 30" "the first page"
                        Expect.stringContains first "offset=25\">Next" "a link to the next"
                        Expect.isFalse (first.Contains "Previous") "none before the first"
                        let! second = client.GetStringAsync "/queues/paged?list=ready&offset=25"
                        Expect.stringContains second "26–30 of 30" "the second page"
                        Expect.stringContains second "offset=0\">Previous" "a link to the first"
                        Expect.equal (Regex.Matches(second, "<tr><td><a href=\"/jobs/").Count) 5 "five jobs on it"
                    })
        }

        testTask "an action without the page's CSRF token, or from another origin, is refused and changes nothing" {
            do!
                withDashboard (fun server ->
                    task {
                        let ep = server.EndPoint
                        let! id = addJob ep "mail" "keep me"
                        use client = browserLike server
                        let! html = client.GetStringAsync("/jobs/" + id)
                        let token = tokenOf html
                        let path = $"/actions/jobs/{id}/delete"
                        let! noToken = post client path [] None
                        Expect.equal noToken.StatusCode HttpStatusCode.Forbidden "no token: refused"
                        let! wrongToken = post client path [ "csrf", token.Substring(1) + "A" ] None
                        Expect.equal wrongToken.StatusCode HttpStatusCode.Forbidden "a wrong token: refused"
                        let! foreign = post client path [ "csrf", token ] (Some "http://evil.example")
                        Expect.equal foreign.StatusCode HttpStatusCode.Forbidden "another site's origin: refused"
                        // Another browser (no cookie) with this page's token.
                        use stranger = browserLike server
                        let! stolen = post stranger path [ "csrf", token ] None
                        Expect.equal stolen.StatusCode HttpStatusCode.Forbidden "a token without its cookie: refused"
                        let! inspect = request ep $"inspect job {id}" None
                        Expect.equal inspect "+OK 1" "the job is still there"
                        let! allowed = post client path [ "csrf", token ] (Some(baseOf(server).GetLeftPart(UriPartial.Authority)))
                        Expect.equal allowed.StatusCode HttpStatusCode.SeeOther "with the token: done"
                        let! gone = request ep $"inspect job {id}" None
                        Expect.equal gone "-NOT-FOUND" "the job is deleted"
                    })
        }

        testTask "the dashboard's pages forbid other sites' scripts and frames, and its cookies are HttpOnly and SameSite=Strict" {
            do!
                withDashboard (fun server ->
                    task {
                        use client = browserLike server
                        let! response = client.GetAsync "/"
                        Expect.equal response.StatusCode HttpStatusCode.OK "the overview"
                        let csp = String.Join(";", response.Headers.GetValues "Content-Security-Policy")
                        Expect.stringContains csp "script-src 'self'" "scripts from the server only"
                        Expect.stringContains csp "frame-ancestors 'none'" "never in a frame"
                        let cookie = String.Join(";", response.Headers.GetValues "Set-Cookie")
                        Expect.stringContains cookie "httponly" "HttpOnly"
                        Expect.stringContains cookie "samesite=strict" "SameSite=Strict"
                        let! css = client.GetAsync "/assets/dashboard.css"
                        Expect.equal css.StatusCode HttpStatusCode.OK "the style is embedded"
                        let! missing = client.GetAsync "/assets/nothing.js"
                        Expect.equal missing.StatusCode HttpStatusCode.NotFound "nothing else is"
                    })
        }

        testTask "the recurring and cluster pages: a definition set over TCP is listed; a server on its own has no cluster" {
            do!
                withDashboard (fun server ->
                    task {
                        let! set = request server.EndPoint "recur nightly-report reports 60000 600000 0_3_*_*_* 2" (Some "go")
                        Expect.equal set "+OK" "the definition is set"
                        use client = browserLike server
                        let! page = client.GetStringAsync "/recurring"
                        Expect.stringContains page "nightly-report" "its key"
                        Expect.stringContains page "0_3_*_*_*" "its expression"
                        let! api = json client "/api/recurring"
                        Expect.equal (api[0].GetProperty("key").GetString()) "nightly-report" "in the API"
                        Expect.equal (api[0].GetProperty("next").ValueKind) JsonValueKind.String "with its next occurrence"
                        let! cluster = client.GetStringAsync "/cluster"
                        Expect.stringContains cluster "Not configured" "no cluster"
                        let! clusterApi = json client "/api/cluster"
                        Expect.equal (clusterApi.GetProperty("role").GetString()) "standalone" "standalone"
                    })
        }

        testSequenced
        <| testTask "in a cluster an action on the leader's dashboard is replicated, and a follower's is refused with the leader's address" {
            do!
                ClusterFixture.withCluster 3 [] (fun c ->
                    task {
                        let! l = ClusterFixture.leader c
                        let! id = addJob l.Client "mail" "replicated"
                        do! ClusterFixture.converged c
                        let f = ClusterFixture.running c |> List.find (fun m -> not m.Node.Leads)
                        use follower = browserLike f.Running
                        // A follower shows what its members have committed.
                        let! shown = follower.GetAsync("/api/jobs/" + id)
                        Expect.equal shown.StatusCode HttpStatusCode.OK "the follower shows the job"
                        let! html = follower.GetStringAsync("/jobs/" + id)
                        let! refused = post follower $"/actions/jobs/{id}/delete" [ "csrf", tokenOf html ] None
                        Expect.equal refused.StatusCode HttpStatusCode.ServiceUnavailable "a follower does not act"
                        let! why = refused.Content.ReadAsStringAsync()
                        Expect.stringContains why (l.Client.ToString()) "it names the leader's job port"
                        use leading = browserLike l.Running
                        let! html = leading.GetStringAsync("/jobs/" + id)
                        let! deleted = post leading $"/actions/jobs/{id}/delete" [ "csrf", tokenOf html ] None
                        Expect.equal deleted.StatusCode HttpStatusCode.SeeOther "the leader acts"
                        do! ClusterFixture.waitUntil 30.0 "every member to apply the delete" (fun () ->
                            ClusterFixture.running c |> List.forall (fun m -> not (ClusterFixture.jobIds m |> Set.contains id)))
                    })
        }

        testList "payloads and results as shown" [
            test "JSON is indented" {
                let view = DataView.Of(Encoding.UTF8.GetBytes """{"a":[1,2],"b":"é"}""")
                Expect.equal view.Kind DataKind.Json "JSON"
                Expect.stringContains view.Text "\"b\": \"é\"" "indented, its text kept"
            }
            test "text that is not JSON is text" {
                let view = DataView.Of(Encoding.UTF8.GetBytes "{not json")
                Expect.equal (view.Kind, view.Text) (DataKind.Text, "{not json") "text"
            }
            test "bytes that are not UTF-8, or control characters, are a hex dump" {
                let view = DataView.Of [| 0x41uy; 0xffuy; 0x00uy |]
                Expect.equal view.Kind DataKind.Hex "hex"
                Expect.stringContains view.Text "00000000  41 ff 00" "offset and bytes"
                Expect.stringContains view.Text "A.." "and the printable ones"
                Expect.equal (DataView.Of [| 0x41uy; 0x07uy |]).Kind DataKind.Hex "a bell is not text"
            }
            test "large data is cut, and says so" {
                let big = Array.create (DataView.MaxTextBytes + 10) (byte 'x')
                let view = DataView.Of big
                Expect.isTrue view.Truncated "cut"
                Expect.equal (view.Shown, view.Size) (DataView.MaxTextBytes, int64 big.Length) "shown of size"
                // A cut through a character leaves the character out rather than showing it broken.
                let euros = Encoding.UTF8.GetBytes(String('€', DataView.MaxTextBytes / 3 + 5))
                let cut = DataView.Of euros
                Expect.equal cut.Kind DataKind.Text "still text"
                Expect.isTrue (cut.Text |> Seq.forall ((=) '€')) "whole characters only"
            }
        ]
    ]
