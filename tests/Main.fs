module Workq.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    // As workq-server's Main does: the in-process servers then run their sockets as in production.
    Workq.Host.Program.UseSocketDefaults()
    runTestsInAssemblyWithCLIArgs [] argv
