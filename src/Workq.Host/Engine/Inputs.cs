using Workq.Domain;

namespace Workq.Host.Engine;

/// <summary>Small views of the decider's <see cref="Input"/> for the host.</summary>
internal static class Inputs
{
    /// <summary>The connection that waits for an answer to this input, if any.</summary>
    public static long? Requester(Input input) => input switch
    {
        Input.Request request => request.Item1,
        Input.Reject reject => reject.Item1,
        _ => null,
    };

    /// <summary>A short description for logs: never the payload.</summary>
    public static string Describe(Input input) => input switch
    {
        Input.Connect c => $"Connect {c.Item}",
        Input.Request r => $"Request {r.Item1} {r.Item2.GetType().Name}",
        Input.Reject r => $"Reject {r.Item1} {ClientErrorModule.text(r.Item2)}",
        Input.Disconnect d => $"Disconnect {d.Item}",
        _ => "Tick",
    };
}
