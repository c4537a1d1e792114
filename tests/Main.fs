module Workq.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    // As workq-server's Main does: the in-process servers then run their sockets as in production.
    System.Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1")
    System.Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "1")
    runTestsInAssemblyWithCLIArgs [] argv
