namespace Workq.Bench;

/// <summary>
/// beanstalkd's protocol, for the same workload: <c>put</c>, <c>reserve-with-timeout</c>,
/// <c>delete</c>, all on the default tube. It has nothing like <c>run</c>.
/// </summary>
public sealed class BeanstalkDialect : Dialect
{
    /// <summary>beanstalkd's TTR is in seconds: the same minute as Workq's.</summary>
    const int TtrSeconds = 60;
    /// <summary>Job ids are decimal numbers; this bounds the digits of a 64-bit one.</summary>
    const int MaxIdLength = 20;

    readonly byte[] put;
    readonly byte[] reserve;
    readonly byte[] deletePrefix = Ascii("delete ");

    public BeanstalkDialect(int payloadSize, int leaseWaitMs)
    {
        put = [.. Ascii($"put 0 0 {TtrSeconds} {payloadSize}\r\n"), .. Filler(payloadSize), (byte)'\r', (byte)'\n'];
        // Whole seconds, at least one: 0 would poll.
        reserve = Ascii($"reserve-with-timeout {Math.Max(1, (leaseWaitMs + 999) / 1000)}\r\n");
        MaxRequestSize = Math.Max(put.Length, deletePrefix.Length + MaxIdLength + 2);
    }

    public override string Name => "beanstalkd";
    public override bool SupportsRun => false;
    public override int MaxRequestSize { get; }

    public override string CommandName(RequestKind kind) => kind switch
    {
        RequestKind.Add => "put",
        RequestKind.Lease => "reserve",
        RequestKind.Complete => "delete",
        _ => "run",
    };

    public override int WriteAdd(Span<byte> destination)
    {
        put.CopyTo(destination);
        return put.Length;
    }

    public override int WriteLease(Span<byte> destination)
    {
        reserve.CopyTo(destination);
        return reserve.Length;
    }

    public override int WriteComplete(Span<byte> destination, ReadOnlySpan<byte> id)
    {
        deletePrefix.CopyTo(destination);
        var at = deletePrefix.Length;
        id.CopyTo(destination[at..]);
        at += id.Length;
        destination[at++] = (byte)'\r';
        destination[at++] = (byte)'\n';
        return at;
    }

    public override int WriteRun(Span<byte> destination) =>
        throw new NotSupportedException("beanstalkd has no run command");

    public override int Parse(RequestKind kind, ReadOnlySpan<byte> buffer, out Reply reply)
    {
        reply = default;
        var lf = FindLine(buffer, 0, out var length);
        if (lf < 0) return 0;
        var line = buffer[..length];
        switch (kind)
        {
            case RequestKind.Add when line.StartsWith("INSERTED "u8):
            case RequestKind.Complete when line.SequenceEqual("DELETED"u8):
                reply = Reply.Ok;
                return lf + 1;
            // DEADLINE_SOON ends a reserve without a job, like a timeout: ask again.
            case RequestKind.Lease when line.SequenceEqual("TIMED_OUT"u8) || line.SequenceEqual("DEADLINE_SOON"u8):
                reply = Reply.Timeout;
                return lf + 1;
            case RequestKind.Lease when line.StartsWith("RESERVED "u8):
                var rest = line["RESERVED "u8.Length..];
                var space = rest.IndexOf((byte)' ');
                var size = space > 0 ? ParseSize(rest[(space + 1)..]) : -1;
                if (size < 0 || space > MaxIdLength) throw Unexpected(kind, line);
                var end = lf + 1 + size + 2;
                if (buffer.Length < end) return 0;
                reply = new Reply(ReplyKind.Record, "RESERVED "u8.Length, space);
                return end;
            default:
                throw Unexpected(kind, line);
        }
    }
}
