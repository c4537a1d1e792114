/// The dashboard driven in a real headless Chromium (Debian's, by Playwright), against a
/// real server whose state is set up and checked over TCP.
module Workq.Tests.BrowserTests

open System
open System.Collections.Concurrent
open System.IO
open System.Net
open System.Threading.Tasks
open Expecto
open Microsoft.Playwright
open Workq.Host
open Workq.Tests.ServerFixture
open Workq.Tests.TcpTestClient

/// The browser: Debian's Chromium unless WORKQ_CHROMIUM names another. `.ci/run` installs it.
let private chromium =
    match Environment.GetEnvironmentVariable "WORKQ_CHROMIUM" with
    | null
    | "" -> "/usr/bin/chromium"
    | path -> path

/// Where the README's screenshots are written, when asked for (WORKQ_SCREENSHOTS=doc/images).
let private screenshots = Environment.GetEnvironmentVariable "WORKQ_SCREENSHOTS" |> Option.ofObj

let private patience = 20_000.0f

let private browser: Lazy<Task<IBrowser>> =
    lazy
        (task {
            if not (File.Exists chromium) then
                failtestf "no browser at %s: install Debian's chromium (apt-get install chromium) or set WORKQ_CHROMIUM" chromium
            let! playwright = Playwright.CreateAsync()
            return! playwright.Chromium.LaunchAsync(BrowserTypeLaunchOptions(ExecutablePath = chromium, Headless = true, Args = [| "--no-sandbox" |]))
        })

let private httpOf (server: RunningServer) =
    match server.HttpEndPoint with
    | NonNull ep -> $"http://{ep}"
    | Null -> failtest "the server has no HTTP side"

/// A page in a fresh browser context (its own cookies), with every console error and
/// uncaught exception collected; dialogs (the actions' confirmations) are accepted.
let private withPage (body: IPage -> ConcurrentQueue<string> -> Task<unit>) =
    task {
        let! browser = browser.Force()
        let! context = browser.NewContextAsync(BrowserNewContextOptions(ViewportSize = ViewportSize(Width = 1280, Height = 900)))
        let errors = ConcurrentQueue<string>()
        let! page = context.NewPageAsync()
        page.Console.Add(fun message -> if message.Type = "error" then errors.Enqueue message.Text)
        page.PageError.Add(fun error -> errors.Enqueue error)
        page.Dialog.Add(fun dialog -> dialog.AcceptAsync() |> ignore)
        page.SetDefaultTimeout patience
        return! tryFinallyTask (fun () -> body page errors) (fun () -> task { do! context.CloseAsync() })
    }

let private withDashboard (args: string list) (body: RunningServer -> Task<unit>) =
    task {
        let! server = startServer (Array.ofList ([ "--listen"; "127.0.0.1:0" ] @ args))
        return! tryFinallyTask (fun () -> body server) (fun () -> task { do! server.DisposeAsync() })
    }

// ---- Over TCP

/// The token the TCP requests below authenticate with, for a server that asks for one.
let private token = "s3cr3t-token"

/// Authenticates with `token` when the server asks for one (its `auth` answer says whether it did).
let private authenticate (c: Client) =
    task {
        do! send c $"auth {token}\r\n"
        let! _ = readLine c
        ()
    }

let private request (ep: IPEndPoint) (line: string) (payload: byte[] option) =
    task {
        use! c = connect ep
        do! authenticate c
        match payload with
        | Some data -> do! sendBytes c (Array.concat [ bytesOf (line + "\r\n"); data; bytesOf "\r\n" ])
        | None -> do! send c (line + "\r\n")
        return! readLine c
    }

let private add (ep: IPEndPoint) (name: string) (payload: byte[]) (flags: string) =
    task {
        let id = Guid.NewGuid().ToString()
        let! reply = request ep $"add {id} {name} 60000 600000 {payload.Length}{flags}" (Some payload)
        Expect.equal reply "+OK" "the job is added"
        return id
    }

/// Leases a job of `name` and ends it with `outcome`, complete or fail (for good if it has
/// -max-fails=1), with the result "boom"; its id.
let private leaseAndEnd (ep: IPEndPoint) (name: string) (outcome: string) =
    task {
        use! c = connect ep
        do! authenticate c
        do! send c $"lease {name} 5000\r\n"
        let! ok = readLine c
        Expect.equal ok "+OK 1" "a job is leased"
        let! header = readLine c
        let id = header.Split(' ').[0]
        let! _payload = readLine c
        do! send c $"{outcome} {id} 4\r\nboom\r\n"
        let! ended = readLine c
        Expect.equal ended "+OK" $"the job's {outcome}"
        return id
    }

let private leaseAndFail ep name = leaseAndEnd ep name "fail"

let private leaseAndFinish ep name outcome =
    task {
        let! _ = leaseAndEnd ep name outcome
        ()
    }

/// `inspect queue`'s counts of a name: ready, scheduled, leased, workers, failed; zeros for none.
let private queueCounts (ep: IPEndPoint) (name: string) =
    task {
        use! c = connect ep
        do! authenticate c
        do! send c $"inspect queue {name}\r\n"
        let! first = readLine c
        if first = "-NOT-FOUND" then
            return Map.empty
        else
            let! _label = readLine c
            let mutable counts = Map.empty
            for _ in 1..5 do
                let! line = readLine c
                let parts = line.Split ' '
                counts <- counts.Add(parts[0], int parts[1])
            return counts
    }

/// `inspect job`'s state number; None for a job not held.
let private jobState (ep: IPEndPoint) (id: string) =
    task {
        use! c = connect ep
        do! authenticate c
        do! send c $"inspect job {id}\r\n"
        let! first = readLine c
        if first = "-NOT-FOUND" then
            return None
        else
            let mutable state = None
            while state.IsNone do
                let! line = readLine c
                if line.StartsWith "state " then state <- Some(int (line.Substring 6))
            return state
    }

let private eventually (what: string) (check: unit -> Task<bool>) =
    task {
        let deadline = DateTime.UtcNow.AddSeconds 20.0
        let mutable ok = false
        while not ok && DateTime.UtcNow < deadline do
            let! now = check ()
            ok <- now
            if not ok then do! Task.Delay 100
        Expect.isTrue ok what
    }

let private shoot (page: IPage) (name: string) =
    task {
        match screenshots with
        | Some dir ->
            Directory.CreateDirectory dir |> ignore
            let! _ = page.ScreenshotAsync(PageScreenshotOptions(Path = Path.Combine(dir, name), FullPage = true))
            ()
        | None -> ()
    }

let private visible (locator: ILocator) = Assertions.Expect(locator).ToBeVisibleAsync(LocatorAssertionsToBeVisibleOptions(Timeout = patience))

let private hasText (locator: ILocator) (text: string) =
    Assertions.Expect(locator).ToContainTextAsync(text, LocatorAssertionsToContainTextOptions(Timeout = patience))

let private noErrors (errors: ConcurrentQueue<string>) = Expect.isEmpty errors $"no console errors: %A{List.ofSeq errors}"

// ---- Tests

[<Tests>]
let tests =
    testSequenced
    <| testList "dashboard in a browser" [
        testTask "the overview loads with no console errors, and jobs added over TCP appear in the queues table without a reload" {
            do!
                withDashboard [] (fun server ->
                    withPage (fun page errors ->
                        task {
                            let! _ = add server.EndPoint "emails" (bytesOf """{"to":"ann@example.com"}""") ""
                            let! _ = page.GotoAsync(httpOf server + "/")
                            do! visible (page.Locator "h1:has-text('Overview')")
                            do! visible (page.Locator "#queues tr[data-queue='emails']")
                            // A mark the page keeps only if it is never reloaded.
                            let! _ = page.EvaluateAsync "window.workqMark = 42"
                            for _ in 1..3 do
                                let! _ = add server.EndPoint "reports" [| 1uy; 2uy |] ""
                                ()
                            do! hasText (page.Locator "#queues tr[data-queue='reports'] td:nth-child(2)") "3"
                            do! hasText (page.Locator "[data-field='jobs-ready']") "4"
                            // Work done over TCP shows too: two completed, one failed.
                            for _ in 1..2 do
                                do! leaseAndFinish server.EndPoint "reports" "complete"
                            let! _ = add server.EndPoint "flaky" (bytesOf "x") " -max-fails=1"
                            do! leaseAndFinish server.EndPoint "flaky" "fail"
                            do! hasText (page.Locator "[data-field='jobs-completed']") "2"
                            do! hasText (page.Locator "[data-field='jobs-failed']") "1"
                            do! hasText (page.Locator "#queues tr[data-queue='flaky'] td:nth-child(5)") "1"
                            let! mark = page.EvaluateAsync<int> "window.workqMark"
                            Expect.equal mark 42 "the page was not reloaded"
                            // The charts are drawn, with the jobs added.
                            do! visible (page.Locator "#chart-minutes polyline.added")
                            do! shoot page "dashboard-overview.png"
                            noErrors errors
                        }))
        }

        testTask "the queues table sorts and filters" {
            do!
                withDashboard [] (fun server ->
                    withPage (fun page errors ->
                        task {
                            for name, count in [ "alpha", 1; "beta", 3; "gamma", 2 ] do
                                for _ in 1..count do
                                    let! _ = add server.EndPoint name [| 0uy |] ""
                                    ()
                            let! _ = page.GotoAsync(httpOf server + "/")
                            do! visible (page.Locator "#queues tr[data-queue='gamma']")
                            do! page.Locator("#queues th[data-key='ready'] button").ClickAsync()
                            do! hasText (page.Locator "#queues tbody tr:first-child td.name") "beta"
                            do! page.Locator("#queue-filter").FillAsync "amm"
                            do! Assertions.Expect(page.Locator "#queues tbody tr").ToHaveCountAsync(1, LocatorAssertionsToHaveCountOptions(Timeout = patience))
                            do! hasText (page.Locator "#queues tbody tr td.name") "gamma"
                            noErrors errors
                        }))
        }

        testTask "on a phone in the dark: no sideways scrolling, the dark theme, and the table sorted by keyboard" {
            do!
                withDashboard [] (fun server ->
                    task {
                        let! browser = browser.Force()
                        let! context =
                            browser.NewContextAsync(
                                BrowserNewContextOptions(
                                    ViewportSize = ViewportSize(Width = 390, Height = 844), IsMobile = true, HasTouch = true,
                                    ColorScheme = ColorScheme.Dark))
                        do!
                            tryFinallyTask
                                (fun () ->
                                    task {
                                        let! page = context.NewPageAsync()
                                        for name in [ "a-queue-with-a-rather-long-name-for-a-phone"; "b" ] do
                                            let! _ = add server.EndPoint name [| 0uy |] ""
                                            ()
                                        let! _ = page.GotoAsync(httpOf server + "/")
                                        do! visible (page.Locator "#queues tr[data-queue='b']")
                                        let! overflow = page.EvaluateAsync<bool> "document.documentElement.scrollWidth > window.innerWidth"
                                        Expect.isFalse overflow "the page fits the phone's width"
                                        let! background = page.EvaluateAsync<string> "getComputedStyle(document.body).backgroundColor"
                                        Expect.equal background "rgb(18, 21, 27)" "the dark theme's background"
                                        do! shoot page "dashboard-phone-dark.png"
                                        // The queue column's sort button, reached and pressed by keyboard: reversed order.
                                        let button = page.Locator "#queues th[data-key='name'] button"
                                        do! button.FocusAsync()
                                        do! page.Keyboard.PressAsync "Enter"
                                        do! hasText (page.Locator "#queues tbody tr:first-child td.name") "b"
                                        let! focused = page.EvaluateAsync<string> "document.activeElement.textContent"
                                        Expect.equal focused "Queue" "the focus stays on the button"
                                    })
                                (fun () -> task { do! context.CloseAsync() })
                    })
        }

        testTask "a job's page shows its payload: JSON indented, binary as a hex dump" {
            do!
                withDashboard [] (fun server ->
                    withPage (fun page errors ->
                        task {
                            let! json = add server.EndPoint "emails" (bytesOf """{"to":"ann@example.com","n":[1,2]}""") " -priority=5"
                            let! _ = page.GotoAsync(httpOf server + "/jobs/" + json)
                            do! hasText (page.Locator "h1") json
                            do! hasText (page.Locator "#payload") "\"to\": \"ann@example.com\""
                            do! hasText (page.Locator "dl.fields") "Priority5"
                            do! shoot page "dashboard-job.png"
                            let! binary = add server.EndPoint "blobs" [| 0uy; 1uy; 2uy; 255uy |] ""
                            let! _ = page.GotoAsync(httpOf server + "/jobs/" + binary)
                            do! hasText (page.Locator "#payload") "00000000  00 01 02 ff"
                            // Found by its id from any page.
                            do! page.Locator("input[name='id']").FillAsync json
                            do! page.Locator("input[name='id']").PressAsync "Enter"
                            do! hasText (page.Locator "h1") json
                            noErrors errors
                        }))
        }

        testTask "delete and requeue through the dashboard change the state, as seen over TCP" {
            do!
                withDashboard [] (fun server ->
                    withPage (fun page errors ->
                        task {
                            let ep = server.EndPoint
                            let! doomed = add ep "work" (bytesOf "delete me") ""
                            let! _ = page.GotoAsync(httpOf server + "/jobs/" + doomed)
                            do! page.Locator("button:has-text('Delete')").ClickAsync()
                            do! hasText (page.Locator ".notice") "deleted"
                            let! state = jobState ep doomed
                            Expect.equal state None "the job is gone"

                            let! _ = add ep "flaky" (bytesOf "one") " -max-fails=1"
                            let! failed = leaseAndFail ep "flaky"
                            let! _ = page.GotoAsync(httpOf server + "/jobs/" + failed)
                            do! hasText (page.Locator "[data-field='job-state']") "failed"
                            do! hasText (page.Locator "#result") "boom"
                            do! page.Locator("button:has-text('Requeue')").ClickAsync()
                            do! hasText (page.Locator ".notice") "put back"
                            let! state = jobState ep failed
                            Expect.equal state (Some 0) "the job is ready again"

                            // All of a queue's failed jobs at once.
                            for _ in 1..2 do
                                let! _ = add ep "batch" (bytesOf "x") " -max-fails=1"
                                let! _ = leaseAndFail ep "batch"
                                ()
                            let! _ = page.GotoAsync(httpOf server + "/queues/batch?list=failed")
                            do! Assertions.Expect(page.Locator "table.jobs tbody tr").ToHaveCountAsync(2, LocatorAssertionsToHaveCountOptions(Timeout = patience))
                            do! shoot page "dashboard-queue.png"
                            do! page.Locator("button:has-text('Requeue all')").ClickAsync()
                            do! hasText (page.Locator ".notice") "put back"
                            let! counts = queueCounts ep "batch"
                            Expect.equal (counts.TryFind "ready-len", counts.TryFind "failed-len") (Some 2, Some 0) "both are ready, none failed"
                            noErrors errors
                        }))
        }

        testTask "a job added with the form is in its queue" {
            do!
                withDashboard [] (fun server ->
                    withPage (fun page errors ->
                        task {
                            let! _ = page.GotoAsync(httpOf server + "/")
                            do! page.Locator("details summary").ClickAsync()
                            do! page.Locator("input[name='name']").FillAsync "tryout"
                            do! page.Locator("input[name='priority']").FillAsync "7"
                            do! page.Locator("textarea[name='payload']").FillAsync "hello from the form"
                            do! page.Locator("button:has-text('Add job')").ClickAsync()
                            do! hasText (page.Locator ".notice") "added"
                            do! hasText (page.Locator "#payload") "hello from the form"
                            let! counts = queueCounts server.EndPoint "tryout"
                            Expect.equal (counts.TryFind "ready-len") (Some 1) "the job is ready in its queue"
                            // A bad value is the protocol's error, and nothing is added.
                            let! _ = page.GotoAsync(httpOf server + "/")
                            do! page.Locator("details summary").ClickAsync()
                            do! page.Locator("input[name='name']").FillAsync "tryout"
                            let! _ = page.Locator("input[name='ttr']").EvaluateAsync("e => { e.removeAttribute('max'); e.value = '999999999999' }")
                            do! page.Locator("button:has-text('Add job')").ClickAsync()
                            do! hasText (page.Locator ".notice.error") "-CLIENT-ERROR"
                            let! counts = queueCounts server.EndPoint "tryout"
                            Expect.equal (counts.TryFind "ready-len") (Some 1) "still one job"
                        }))
        }

        testTask "with tokens, no page is served before signing in; a session cookie then keeps the user signed in" {
            let dir = Directory.CreateTempSubdirectory "workq-dashboard-"
            try
                let file = Path.Combine(dir.FullName, "tokens")
                File.WriteAllLines(file, [ "ann:" + token ])
                File.SetUnixFileMode(file, UnixFileMode.UserRead ||| UnixFileMode.UserWrite)
                do!
                    withDashboard [ "-auth-tokens"; file ] (fun server ->
                        withPage (fun page errors ->
                            task {
                                let! job = add server.EndPoint "secret" (bytesOf "classified") ""
                                let! response = page.GotoAsync(httpOf server + "/jobs/" + job)
                                Expect.stringContains page.Url "/login" "sent to sign in"
                                do! visible (page.Locator "input[name='token']")
                                let! content = page.ContentAsync()
                                Expect.isFalse (content.Contains "classified") "nothing of the job is shown"
                                let! api = page.APIRequest.GetAsync(httpOf server + "/api/overview")
                                Expect.equal api.Status 401 "the API asks for a token"
                                do! page.Locator("input[name='token']").FillAsync "wrong-token"
                                do! page.Locator("button:has-text('Sign in')").ClickAsync()
                                do! hasText (page.Locator ".notice.error") "not one of the server's"
                                do! page.Locator("input[name='token']").FillAsync token
                                do! page.Locator("button:has-text('Sign in')").ClickAsync()
                                // Back where it was going.
                                do! hasText (page.Locator "h1") job
                                let! cookies = page.Context.CookiesAsync()
                                let session = cookies |> Seq.find (fun c -> c.Name = "workq-session")
                                Expect.isTrue session.HttpOnly "the session cookie is HttpOnly"
                                Expect.equal session.SameSite SameSiteAttribute.Strict "the session cookie is SameSite=Strict"
                                let! api = page.APIRequest.GetAsync(httpOf server + "/api/overview")
                                Expect.equal api.Status 200 "the session opens the API too"
                                do! page.Locator("button:has-text('Sign out')").ClickAsync()
                                do! visible (page.Locator "input[name='token']")
                                let! _ = page.GotoAsync(httpOf server + "/")
                                Expect.stringContains page.Url "/login" "signed out: sent to sign in again"
                                ignore response
                                Expect.isEmpty (errors |> Seq.filter (fun e -> not (e.Contains "401"))) "no console errors but the refused requests'"
                            }))
            finally
                dir.Delete true
        }
    ]
