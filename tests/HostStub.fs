// TEMPORARY: stands in for the host contract until Workq.Host lands on main.
// Delete this file (and its line in Workq.Tests.fsproj) once WorkqServer exists.
namespace Workq.Host

open System
open System.Net
open System.Threading
open System.Threading.Tasks
open Microsoft.Extensions.Hosting

type RunningServer =
    inherit IAsyncDisposable
    abstract EndPoint: IPEndPoint
    abstract Host: IHost

type WorkqServer =
    static member StartAsync(_args: string[], ?_ct: CancellationToken) : Task<RunningServer> =
        Task.FromException<RunningServer>(NotImplementedException "Workq.Host has not landed yet")
