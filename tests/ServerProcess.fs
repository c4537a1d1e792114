/// The server as a separate process (`dotnet workq-server.dll`, or a published
/// `workq-server`), for what only a process shows: its exit code and output, a kill, its
/// environment and working directory.
module Workq.Tests.ServerProcess

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Net
open System.Text.RegularExpressions
open System.Threading.Tasks
open Expecto
open Workq.Host
open Workq.Tests.ServerFixture

type ServerProcess =
    { Process: Process
      /// stdout and stderr lines, in arrival order per stream.
      Output: ConcurrentQueue<string>
      Listening: Task<IPEndPoint> }

    member p.Text = String.Join("\n", p.Output)

let private serverDll = typeof<RunningServer>.Assembly.Location

let private dotnetHost =
    match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
    | NonNull path when path <> "" -> path
    | _ -> "dotnet"

let private listeningLine = Regex(@"workq listening on (\d+\.\d+\.\d+\.\d+:\d+)")

/// The program to run, and the arguments before the server's own.
type Program =
    { Path: string
      Leading: string list }

/// The build the tests reference, run by the dotnet host.
let built = { Path = dotnetHost; Leading = [ serverDll ] }

/// A native `workq-server`, as `dotnet publish` makes it.
let native path = { Path = path; Leading = [] }

/// How to start the server: its arguments, and for `environment` and `workDir` what the
/// test process has unless given.
let private startInfoOf (program: Program) (environment: (string * string) list) (workDir: string option) (args: string list) =
    let psi = ProcessStartInfo(program.Path, RedirectStandardOutput = true, RedirectStandardError = true)
    Seq.append program.Leading (withOwnHttpPort args) |> Seq.iter psi.ArgumentList.Add
    for name, value in environment do
        psi.Environment[name] <- value
    workDir |> Option.iter (fun dir -> psi.WorkingDirectory <- dir)
    psi

/// Starts `program` with extra environment variables, in `workDir` if given.
let launchProgram (program: Program) (environment: (string * string) list) (workDir: string option) (args: string list) =
    let p = new Process(StartInfo = startInfoOf program environment workDir args)
    let output = ConcurrentQueue<string>()
    let listening = TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously)
    // Both pipes are drained all along: a full pipe would block the server.
    let onLine (e: DataReceivedEventArgs) =
        match e.Data with
        | NonNull line ->
            output.Enqueue line
            let m = listeningLine.Match line
            if m.Success then listening.TrySetResult(IPEndPoint.Parse m.Groups[1].Value) |> ignore
        | Null -> ()
    p.OutputDataReceived.Add onLine
    p.ErrorDataReceived.Add onLine
    if not (p.Start()) then failtest "could not start the server process"
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    { Process = p; Output = output; Listening = listening.Task }

/// Starts a server process with extra environment variables, in `workDir` if given.
let launchWith environment workDir args = launchProgram built environment workDir args

let launch (args: string list) = launchWith [] None args

/// The endpoint the process listens on; fails if it exits or is silent for 30 s.
let endPointOf (sp: ServerProcess) : Task<IPEndPoint> =
    task {
        let! first = Task.WhenAny(sp.Listening, sp.Process.WaitForExitAsync(), Task.Delay 30_000)
        if first = (sp.Listening :> Task) then
            return sp.Listening.Result
        else
            return failtestf "the server process did not start listening; its output:\n%s" sp.Text
    }

/// SIGKILL: no shutdown code runs.
let kill (sp: ServerProcess) =
    task {
        if not sp.Process.HasExited then sp.Process.Kill()
        do! sp.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds 15.0)
    }

/// Runs `body` against `program` started as `launchProgram` does, then kills the process.
let withProgram program environment workDir args (body: ServerProcess -> Task<'a>) : Task<'a> =
    task {
        let sp = launchProgram program environment workDir args
        let cleanup () =
            task {
                do! kill sp
                sp.Process.Dispose()
            }
        return! tryFinallyTask (fun () -> body sp) cleanup
    }

/// Runs `body` against a process started as `launchWith` does, then kills the process.
let withProcessIn environment workDir args body = withProgram built environment workDir args body

let withProcess args body = withProcessIn [] None args body

/// Runs `program`, started as `launchProgram` does, to its exit (within 30 s, or it is
/// killed and the test fails): its exit code, standard output and standard error.
let runProgramToExit program environment workDir (args: string list) : Task<int * string * string> =
    task {
        use p = new Process(StartInfo = startInfoOf program environment workDir args)
        if not (p.Start()) then failtest "could not start the server process"
        let stdout = p.StandardOutput.ReadToEndAsync()
        let stderr = p.StandardError.ReadToEndAsync()
        let! exited = Task.WhenAny(p.WaitForExitAsync(), Task.Delay 30_000)
        if not p.HasExited then
            p.Kill()
            failtestf "the server did not exit within 30 s (args %A)" args
        ignore exited
        let! out = stdout
        let! err = stderr
        return p.ExitCode, out, err
    }

/// Runs the server, started as `launchWith` does, to its exit.
let runToExitWith environment workDir args = runProgramToExit built environment workDir args

let runToExit args = runToExitWith [] None args
