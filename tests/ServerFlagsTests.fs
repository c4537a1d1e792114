/// The server's flags: every form of every flag, the problems a command line can have,
/// --help and --version, and the layers of configuration under the command line.
module Workq.Tests.ServerFlagsTests

open System
open System.Collections.Generic
open System.IO
open System.Net
open System.Text.RegularExpressions
open System.Threading.Tasks
open Expecto
open Microsoft.Extensions.Configuration
open Workq.Host.CommandLog
open Workq.Host.Configuration
open Workq.Tests.ServerProcess

/// A value each flag takes, and what it reads as.
let private samples: (string * string * (ServerOptions -> unit)) list =
    [ "listen", "10.1.2.3:7000", (fun o -> Expect.equal o.Listen (IPEndPoint(IPAddress.Parse "10.1.2.3", 7000)) "listen")
      "cmdlog-path", "/var/lib/workq", (fun o -> Expect.equal o.CommandLog.Path "/var/lib/workq" "cmdlog-path")
      "cmdlog-sync", "always", (fun o -> Expect.equal o.CommandLog.Sync SyncPolicy.Always "cmdlog-sync")
      "cmdlog-sync-int", "250", (fun o -> Expect.equal o.CommandLog.SyncInterval (TimeSpan.FromMilliseconds 250.0) "cmdlog-sync-int")
      "cmdlog-seg-size", "15", (fun o -> Expect.equal o.CommandLog.SegmentSize 15L "cmdlog-seg-size")
      "cmdlog-clean-int", "9000", (fun o -> Expect.equal o.CommandLog.CleanInterval (TimeSpan.FromSeconds 9.0) "cmdlog-clean-int")
      "cmdlog-repair", "true", (fun o -> Expect.isTrue o.CommandLog.Repair "cmdlog-repair")
      "http-listen", "10.1.2.3:7001", (fun o -> Expect.equal o.HttpListen (IPEndPoint(IPAddress.Parse "10.1.2.3", 7001)) "http-listen")
      "shutdown-timeout", "2500", (fun o -> Expect.equal o.ShutdownTimeout (TimeSpan.FromMilliseconds 2500.0) "shutdown-timeout") ]

let private flagNamed name = ServerFlags.All |> Seq.find (fun f -> f.Name = name)

/// The options a command line gives, read as the server reads them (from configuration).
let private optionsOf (args: string list) =
    let commandLine = ServerCommandLine.Parse(Array.ofList args)
    Expect.isNull commandLine.Problem $"a problem with %A{args}"
    let settings = commandLine.Settings |> Seq.map (fun kv -> KeyValuePair<string, string | null>(kv.Key, kv.Value))
    ServerConfiguration.Read(ConfigurationBuilder().AddInMemoryCollection(settings).Build())

let private problemOf (args: string list) =
    match ServerCommandLine.Parse(Array.ofList args).Problem with
    | NonNull problem -> problem
    | Null -> failtestf "no problem found with %A" args

/// The four forms Go's flag package takes, and for a switch also the name alone.
let private forms (flag: ServerFlag) value =
    [ [ $"-{flag.Name}"; value ]
      [ $"-{flag.Name}={value}" ]
      [ $"--{flag.Name}"; value ]
      [ $"--{flag.Name}={value}" ] ]
    @ (if flag.IsSwitch then [ [ $"-{flag.Name}" ]; [ $"--{flag.Name}" ] ] else [])

let private parsing =
    testList "parsing" [
        test "every flag has a sample in these tests" {
            Expect.equal
                (ServerFlags.All |> Seq.map _.Name |> Set.ofSeq)
                (samples |> List.map (fun (name, _, _) -> name) |> Set.ofList)
                "the flags and the samples"
        }
        test "every flag in every form" {
            for name, value, check in samples do
                for args in forms (flagNamed name) value do
                    check (optionsOf args)
        }
        test "all flags at once, beside each other" {
            let options = optionsOf [ for name, value, _ in samples -> $"-{name}={value}" ]
            for _, _, check in samples do
                check options
        }
        test "no flags: the options' defaults" {
            let options = optionsOf []
            Expect.equal options.Listen (IPEndPoint(IPAddress.Loopback, 9922)) "listen"
            Expect.isNull options.CommandLog.Path "in memory"
            Expect.equal options.CommandLog.SegmentSize CommandLogOptions.DefaultSegmentSize "segment size"
            Expect.isFalse options.CommandLog.Repair "repair"
            Expect.equal options.HttpListen (IPEndPoint(IPAddress.Loopback, 9923)) "http-listen"
            Expect.equal options.ShutdownTimeout (TimeSpan.FromSeconds 5.0) "shutdown-timeout"
        }
        test "-http-listen none turns the HTTP port off" {
            Expect.isNull (optionsOf [ "-http-listen"; "none" ]).HttpListen "none"
            Expect.isNull (optionsOf [ "--http-listen=NONE" ]).HttpListen "NONE"
        }
        test "a repeated flag: the last one wins, as in Go" {
            let options = optionsOf [ "-cmdlog-seg-size"; "5"; "--cmdlog-seg-size=7" ]
            Expect.equal options.CommandLog.SegmentSize 7L "segment size"
        }
        test "-cmdlog-seg-size: any size is a minimum; 0 means the default" {
            Expect.equal (optionsOf [ "-cmdlog-seg-size"; "1" ]).CommandLog.SegmentSize 1L "1 byte"
            Expect.equal (optionsOf [ "-cmdlog-seg-size"; "0" ]).CommandLog.SegmentSize CommandLogOptions.DefaultSegmentSize "0"
        }
        test "a switch is off with =false" {
            Expect.isFalse (optionsOf [ "-cmdlog-repair=false" ]).CommandLog.Repair "-cmdlog-repair=false"
            Expect.isFalse (optionsOf [ "--cmdlog-repair"; "0" ]).CommandLog.Repair "--cmdlog-repair 0"
        }
        test "an unknown flag is named, without its value" {
            Expect.equal (problemOf [ "--bogus"; "7" ]) "flag provided but not defined: --bogus" "--bogus 7"
            Expect.equal (problemOf [ "-bogus=7" ]) "flag provided but not defined: -bogus" "-bogus=7"
            Expect.equal (problemOf [ "-listen"; "127.0.0.1:1"; "-x" ]) "flag provided but not defined: -x" "after a good flag"
            Expect.equal (problemOf [ "serve" ]) "unexpected argument: serve" "a word that is no flag"
        }
        test "a missing value names the flag as given" {
            for flag in ServerFlags.All |> Seq.filter (fun f -> not f.IsSwitch) do
                Expect.equal (problemOf [ $"-{flag.Name}" ]) $"flag needs an argument: -{flag.Name}" flag.Name
                Expect.equal (problemOf [ "-cmdlog-repair"; $"--{flag.Name}" ]) $"flag needs an argument: --{flag.Name}" flag.Name
        }
        test "a bad value names the value and the flag, and says what would do" {
            for name, value, expected in
                [ "cmdlog-seg-size", "abc", "expected a whole number of bytes"
                  "cmdlog-seg-size", "-1", "expected a whole number of bytes"
                  "cmdlog-sync", "sometimes", "expected always, interval or os"
                  "cmdlog-sync-int", "0", "expected a whole number of milliseconds"
                  "cmdlog-clean-int", "1.5", "expected a whole number of milliseconds"
                  "listen", "nowhere", "expected HOST:PORT"
                  "listen", "127.0.0.1:70000", "expected HOST:PORT"
                  "http-listen", "nowhere", "expected HOST:PORT with an IP address (or localhost) and a port 0-65535, or none"
                  "shutdown-timeout", "0", "expected a whole number of milliseconds"
                  "cmdlog-repair", "maybe", "expected true or false" ] do
                let problem = problemOf [ $"-{name}={value}" ]
                Expect.stringStarts problem $"invalid value \"{value}\" for flag -{name}: {expected}" $"-{name}={value}"
        }
    ]

/// What `Answer` prints and returns for a command line.
let private answer (args: string list) =
    use out = new StringWriter()
    use err = new StringWriter()
    let code = ServerCommandLine.Parse(Array.ofList args).Answer(out, err)
    code, out.ToString(), err.ToString()

let private answers =
    testList "answers" [
        test "-h, -help and --help print the usage to stdout, exit 0, wherever they stand" {
            for flag in [ "-h"; "-help"; "--help" ] do
                let code, out, err = answer [ "-cmdlog-repair"; flag ]
                Expect.equal code (Nullable 0) flag
                Expect.equal out ServerUsage.Text flag
                Expect.equal err "" flag
        }
        test "--version prints the assembly's informational version, exit 0" {
            let code, out, err = answer [ "--version" ]
            Expect.equal code (Nullable 0) "exit code"
            Expect.equal out $"workq-server {ServerCommandLine.Version}{Environment.NewLine}" "output"
            Expect.equal err "" "stderr"
            Expect.isFalse (String.IsNullOrWhiteSpace ServerCommandLine.Version) "a version"
        }
        test "a problem: one line naming it, then the usage, on stderr; exit 2" {
            let code, out, err = answer [ "--bogus"; "7" ]
            Expect.equal code (Nullable 2) "exit code"
            Expect.equal out "" "stdout"
            Expect.equal err $"workq-server: flag provided but not defined: --bogus{Environment.NewLine}{ServerUsage.Text}" "stderr"
        }
        test "good flags: no answer, the server starts" {
            let code, out, err = answer [ "-listen"; "127.0.0.1:0" ]
            Expect.isFalse code.HasValue "no exit code"
            Expect.equal (out + err) "" "nothing printed"
        }
        test "the usage names every flag, its value and its default (the options' own)" {
            // Words as they read, wherever the lines are wrapped.
            let text = Regex.Replace(ServerUsage.Text, @"\s+", " ")
            for flag in ServerFlags.All do
                let name = if flag.IsSwitch then $"-{flag.Name} " else $"-{flag.Name} {flag.Placeholder} "
                Expect.stringContains text name flag.Name
                match flag.Default with
                | NonNull value -> Expect.stringContains text $"(default {value}" flag.Name
                | Null -> ()
            Expect.stringContains text "(default 127.0.0.1:9922; also WORKQ_LISTEN)" "listen address"
            Expect.stringContains text "(default 67108864)" "segment size"
            Expect.stringContains text "(default interval)" "sync policy"
            for line in ServerUsage.Text.Split '\n' do
                Expect.isLessThanOrEqual line.Length 100 $"a short line: {line}"
        }
    ]

/// A fresh directory with an appsettings.json holding `json`.
let private appsettingsDir (json: string) =
    let dir = Path.Combine(Path.GetTempPath(), "workq-settings-" + Guid.NewGuid().ToString "N")
    Directory.CreateDirectory dir |> ignore
    File.WriteAllText(Path.Combine(dir, "appsettings.json"), json)
    dir

let private exitsWith (expected: int) (stderrStart: string) (run: Task<int * string * string>) =
    task {
        let! code, _, err = run
        Expect.equal code expected $"exit code; stderr:\n{err}"
        Expect.stringStarts err stderrStart "stderr"
    }

/// The process listens: the configuration it was given is good.
let private listens environment workDir args =
    withProcessIn environment workDir args (fun sp -> task { let! _ = endPointOf sp in () })

let private processes =
    testList "process" [
        testTask "--bogus 7: exit 2, the message and the usage on stderr" {
            let! code, out, err = runToExit [ "--bogus"; "7" ]
            Expect.equal code 2 "exit code"
            Expect.equal out "" "stdout"
            Expect.stringStarts err "workq-server: flag provided but not defined: --bogus\nusage: workq-server" "stderr"
        }
        testTask "a missing value and a bad value: exit 2" {
            do! runToExit [ "-listen"; "127.0.0.1:0"; "-cmdlog-sync-int" ] |> exitsWith 2 "workq-server: flag needs an argument: -cmdlog-sync-int\n"
            do! runToExit [ "-cmdlog-seg-size"; "abc" ] |> exitsWith 2 "workq-server: invalid value \"abc\" for flag -cmdlog-seg-size: "
        }
        testTask "--version and --help: exit 0, on stdout" {
            let! code, out, err = runToExit [ "--version" ]
            Expect.equal (code, err) (0, "") "--version"
            Expect.stringStarts out "workq-server " "--version"
            let! code, out, err = runToExit [ "-h" ]
            Expect.equal (code, err) (0, "") "-h"
            Expect.stringStarts out "usage: workq-server" "-h"
        }
        testTask "the environment: Workq__Name, beneath the command line" {
            let environment = [ "Workq__CmdlogSyncInt", "abc" ]
            do!
                runToExitWith environment None [ "-listen"; "127.0.0.1:0" ]
                |> exitsWith 2 "workq-server: invalid value \"abc\" for Workq:CmdlogSyncInt: "
            do! listens environment None [ "-listen"; "127.0.0.1:0"; "-cmdlog-sync-int"; "5" ]
        }
        testTask "WORKQ_LISTEN: beneath Workq__Listen, above appsettings.json" {
            do! runToExitWith [ "WORKQ_LISTEN", "nowhere" ] None [] |> exitsWith 2 "workq-server: invalid value \"nowhere\" for Workq:Listen: "
            do! listens [ "WORKQ_LISTEN", "nowhere"; "Workq__Listen", "127.0.0.1:0" ] None []
            let dir = appsettingsDir """{ "Workq": { "Listen": "nowhere" } }"""
            try
                do! listens [ "WORKQ_LISTEN", "127.0.0.1:0" ] (Some dir) []
            finally
                Directory.Delete(dir, true)
        }
        testTask "appsettings.json in the working directory, beneath the environment and the command line" {
            let dir = appsettingsDir """{ "Workq": { "Listen": "nowhere", "CmdlogSyncInt": 7 } }"""
            try
                do! runToExitWith [] (Some dir) [] |> exitsWith 2 "workq-server: invalid value \"nowhere\" for Workq:Listen: "
                do! listens [ "Workq__Listen", "127.0.0.1:0" ] (Some dir) []
                do! listens [] (Some dir) [ "-listen"; "127.0.0.1:0" ]
            finally
                Directory.Delete(dir, true)
        }
    ]

[<Tests>]
let tests = testList "server flags" [ parsing; answers; processes ]
