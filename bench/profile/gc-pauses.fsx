// Reads a .nettrace of the runtime's GC events (dotnet-trace collect, see
// bench/profile/README.md) and prints every pause of the managed threads: when, how long,
// and the collection in it (generation, kind, reason), the longest first.
// Also: methods compiled per second (JIT) and the thread pool's thread injections.
// usage: dotnet fsi gc-pauses.fsx FILE.nettrace (the #r paths: where `dotnet tool install
// --tool-path /tmp/perf-dtrace dotnet-trace` put TraceEvent)
#r "/tmp/perf-dtrace/.store/dotnet-trace/10.0.750501/dotnet-trace/10.0.750501/tools/net8.0/any/Microsoft.Diagnostics.Tracing.TraceEvent.dll"
#r "/tmp/perf-dtrace/.store/dotnet-trace/10.0.750501/dotnet-trace/10.0.750501/tools/net8.0/any/Microsoft.Diagnostics.FastSerialization.dll"
open Microsoft.Diagnostics.Tracing
open Microsoft.Diagnostics.Tracing.Parsers.Clr
let file = fsi.CommandLineArgs[1]
let source = new EventPipeEventSource(file)
let pauses = ResizeArray<float * float * string>()
let mutable suspendAt = nan
let mutable gcInPause = ""
let mutable jits = ResizeArray<float>()
source.Clr.add_GCSuspendEEStart(fun e -> suspendAt <- e.TimeStampRelativeMSec; gcInPause <- "")
source.Clr.add_GCStart(fun e -> gcInPause <- sprintf "gen%d %O %O" e.Depth e.Type e.Reason)
source.Clr.add_GCRestartEEStop(fun e ->
    if not (System.Double.IsNaN suspendAt) then
        pauses.Add((suspendAt, e.TimeStampRelativeMSec - suspendAt, (if gcInPause = "" then "(no GC: suspension only)" else gcInPause)))
    suspendAt <- nan)
source.Clr.add_MethodLoadVerbose(fun e -> jits.Add e.TimeStampRelativeMSec)
let adjustments = ResizeArray<float * int * string>()
source.Clr.add_ThreadPoolWorkerThreadAdjustmentAdjustment(fun e ->
    adjustments.Add((e.TimeStampRelativeMSec, int e.NewWorkerThreadCount, string e.Reason)))
source.Process() |> ignore
printfn "methods compiled per second of the trace: %s"
    (jits |> Seq.countBy (fun t -> int (t / 1000.0)) |> Seq.sort |> Seq.map (fun (s, n) -> sprintf "%ds:%d" s n) |> String.concat " ")
printfn "thread pool adjustments: %s"
    (adjustments |> Seq.map (fun (t, n, r) -> sprintf "%.0fms->%d(%s)" t n r) |> String.concat " ")
// Pauses close together stall a request as one: the worst 200 ms window.
let windows =
    pauses |> Seq.map (fun (at, _, _) ->
        at, pauses |> Seq.filter (fun (b, _, _) -> b >= at && b < at + 200.0) |> Seq.sumBy (fun (_, d, _) -> d))
if pauses.Count > 0 then
    let at, sum = windows |> Seq.maxBy snd
    printfn "most paused 200 ms window: %.1f ms paused from %.1f ms" sum at
printfn "%d pauses, total %.1f ms; methods jitted: %d" pauses.Count (pauses |> Seq.sumBy (fun (_, d, _) -> d)) jits.Count
for (at, d, what) in pauses |> Seq.sortByDescending (fun (_, d, _) -> d) |> Seq.truncate 15 do
    printfn "  at %9.1f ms: paused %7.2f ms  %s" at d what
let byGen = pauses |> Seq.groupBy (fun (_, _, w) -> w.Split(' ')[0]) 
for (g, ps) in byGen do
    let ds = ps |> Seq.map (fun (_, d, _) -> d) |> Seq.toArray
    printfn "  %-10s count %4d  total %8.1f ms  max %7.2f ms" g ds.Length (Array.sum ds) (Array.max ds)
