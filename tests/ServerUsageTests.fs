module Workq.Tests.ServerUsageTests

open System.IO
open Expecto
open Workq.Host.Configuration

let private help (args: string[]) =
    use out = new StringWriter()
    let printed = ServerUsage.TryPrint(args, out)
    printed, out.ToString()

[<Tests>]
let tests =
    testList "server usage" [
        test "--help, -help and -h print the usage, wherever they stand" {
            for arg in [ "--help"; "-help"; "-h" ] do
                let printed, text = help [| "--listen"; "127.0.0.1:1"; arg |]
                Expect.isTrue printed arg
                Expect.stringStarts text "usage: workq-server" arg
        }
        test "other arguments print nothing, so the server starts" {
            let printed, text = help [| "--listen"; "127.0.0.1:1"; "-cmdlog-repair" |]
            Expect.isFalse printed "no help asked"
            Expect.equal text "" "nothing printed"
        }
        test "every switch the server takes is in the usage" {
            let _, text = help [| "--help" |]
            for switch in CommandLineArgs.SwitchMappings.Keys |> Seq.filter (fun s -> s.StartsWith "--") do
                Expect.stringContains text switch switch
        }
        test "the defaults it names are the options' own" {
            let _, text = help [| "--help" |]
            Expect.stringContains text "(default 127.0.0.1:9922;" "listen address"
            Expect.stringContains text "(default 67108864)" "segment size"
            Expect.stringContains text "(default interval)" "sync policy"
        }
    ]
