using System.Buffers;
using System.Text;
using Workq.Domain;

namespace Workq.Host.Engine;

/// <summary>
/// Before the listener listens, a few requests go through the parser, the decider, the
/// event encoder and the reply writer on a state of their own: the first clients do not
/// wait for what those paths set up on first use (the grammar's tables; with the JIT, the
/// compiled code). Pure functions on a throwaway state: nothing is logged or sent.
/// </summary>
internal static class Warmup
{
    private const long Conn = 1;
    private const string Id = "6ba7b810-9dad-11d1-80b4-00c04fd430c4";
    private const string OtherId = "6ba7b811-9dad-11d1-80b4-00c04fd430c4";

    // The plain forms and, with flags, the grammar's; a lease that gets the job, its end,
    // and what reads a job.
    private static readonly (string Line, string Data)[] Requests =
    [
        ($"add {Id} warmup 1000 60000 4 -priority=1 -max-attempts=2", "ping"),
        ($"add {OtherId} warmup 1000 60000 4", "ping"),
        ("lease warmup 10", ""),
        ($"complete {Id} 4", "pong"),
        ($"result {Id} 10", ""),
        ($"inspect job {Id}", ""),
        ("inspect server", ""),
    ];

    /// <summary>Runs the requests; returns the replies they got (every one a success).</summary>
    public static List<Reply> Run(long now)
    {
        var replies = new List<Reply>();
        var output = new ArrayBufferWriter<byte>(1024);
        var body = new ArrayBufferWriter<byte>(256);
        State state = Decide(Input.NewConnect(Conn), StateModule.initial(now), now, replies, output, body);
        foreach ((string line, string data) in Requests)
        {
            var parsed = Parser.parse(line, Encoding.ASCII.GetBytes(data));
            Input input = parsed.IsOk ? Input.NewRequest(Conn, parsed.ResultValue) : Input.NewReject(Conn, parsed.ErrorValue);
            state = Decide(input, state, now, replies, output, body);
        }
        return replies;
    }

    private static State Decide(
        Input input, State state, long now, List<Reply> replies, ArrayBufferWriter<byte> output, ArrayBufferWriter<byte> body)
    {
        Decision decision = Workq.Domain.Decide.decide(LimitsModule.none, now, input, state);
        for (var rest = decision.Replies; !rest.IsEmpty; rest = rest.Tail)
        {
            replies.Add(rest.Head.Reply);
            ReplyWriter.write(output, rest.Head.Reply);
        }
        foreach (Event e in decision.Events)
        {
            if (e is Event.Logged logged)
                Workq.Domain.CommandLog.EventCodec.encode(body, logged.Item);
        }
        output.ResetWrittenCount();
        body.ResetWrittenCount();
        return decision.State;
    }
}
