// Reads a .nettrace holding the runtime's allocation ticks (one event per ~100 KB
// allocated, naming the type of the object that crossed the mark) and prints what the
// server allocates by type: each type's share of the ticks, and bytes per job when given
// the bytes allocated per job.
// usage: dotnet fsi alloc-types.fsx FILE.nettrace [BYTES-PER-JOB] (TraceEvent from dotnet-trace's
// install, as in gc-pauses.fsx)
#r "/tmp/perf-dtrace/.store/dotnet-trace/10.0.750501/dotnet-trace/10.0.750501/tools/net8.0/any/Microsoft.Diagnostics.Tracing.TraceEvent.dll"
#r "/tmp/perf-dtrace/.store/dotnet-trace/10.0.750501/dotnet-trace/10.0.750501/tools/net8.0/any/Microsoft.Diagnostics.FastSerialization.dll"
open Microsoft.Diagnostics.Tracing
let file = fsi.CommandLineArgs[1]
let perJob = if fsi.CommandLineArgs.Length > 2 then float fsi.CommandLineArgs[2] else nan
let source = new EventPipeEventSource(file)
let ticks = System.Collections.Generic.Dictionary<string, float>()
source.Clr.add_GCAllocationTick(fun e ->
    let name = if isNull e.TypeName then "?" else e.TypeName
    ticks[name] <- (match ticks.TryGetValue name with | true, v -> v | _ -> 0.0) + float e.AllocationAmount64)
source.Process() |> ignore
let total = ticks.Values |> Seq.sum
printfn "%-100s %7s %9s" "type" "share" "B/job"
for KeyValue(name, bytes) in ticks |> Seq.sortByDescending (fun kv -> kv.Value) |> Seq.truncate 40 do
    let share = bytes / total
    let shown = if name.Length > 100 then name.Substring(0, 97) + "..." else name
    printfn "%-100s %6.1f%% %9.0f" shown (100.0 * share) (share * perJob)
