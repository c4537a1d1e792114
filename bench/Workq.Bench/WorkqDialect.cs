namespace Workq.Bench;

/// <summary>
/// Workq's protocol: <c>add</c>, <c>lease</c>, <c>complete</c>, <c>run</c>; the original Go
/// Workq's too, which Workq reimplements.
/// </summary>
public sealed class WorkqDialect : Dialect
{
    const int IdLength = 36;
    const int Ttr = 60_000;
    /// <summary>A queue job's TTL unless told otherwise: ten minutes.</summary>
    public const int DefaultTtl = 600_000;
    /// <summary>A day: the TTL of jobs a fill leaves to be measured (none runs out meanwhile).</summary>
    public const int DayTtl = 86_400_000;
    /// <summary>A run waits long enough that only a stalled server makes it time out.</summary>
    const int RunWait = 60_000;

    // Whole requests built once; only the id is written into each copy.
    readonly byte[] add;
    readonly byte[] run;
    readonly byte[] lease;
    readonly byte[] completePrefix = Ascii("complete ");
    readonly byte[] completeSuffix;

    readonly IdKind ids;

    public WorkqDialect(string queue, int payloadSize, int resultSize, int leaseWaitMs, int ttl = DefaultTtl, string name = "workq", IdKind ids = IdKind.V7)
    {
        Name = name;
        this.ids = ids;
        var payload = Filler(payloadSize);
        var blankId = new string('0', IdLength);
        add = [.. Ascii($"add {blankId} {queue} {Ttr} {ttl} {payloadSize}\r\n"), .. payload, (byte)'\r', (byte)'\n'];
        run = [.. Ascii($"run {blankId} {queue} {Ttr} {RunWait} {payloadSize}\r\n"), .. payload, (byte)'\r', (byte)'\n'];
        lease = Ascii($"lease {queue} {leaseWaitMs}\r\n");
        completeSuffix = [.. Ascii($" {resultSize}\r\n"), .. Filler(resultSize), (byte)'\r', (byte)'\n'];
        MaxRequestSize = Math.Max(Math.Max(add.Length, run.Length), completePrefix.Length + IdLength + completeSuffix.Length);
    }

    public override string Name { get; }
    public override bool SupportsRun => true;
    public override int MaxRequestSize { get; }

    public override string CommandName(RequestKind kind) => RequestKinds.Key(kind);

    public override int WriteAdd(Span<byte> destination) => WithFreshId(add, destination);
    public override int WriteRun(Span<byte> destination) => WithFreshId(run, destination);

    public override int WriteLease(Span<byte> destination)
    {
        lease.CopyTo(destination);
        return lease.Length;
    }

    public override int WriteComplete(Span<byte> destination, ReadOnlySpan<byte> id)
    {
        completePrefix.CopyTo(destination);
        var at = completePrefix.Length;
        id.CopyTo(destination[at..]);
        at += id.Length;
        completeSuffix.CopyTo(destination[at..]);
        return at + completeSuffix.Length;
    }

    /// <summary>
    /// Both templates start with a four-byte command and a space: the id follows. Where the
    /// ids land in the server's index of jobs depends on their kind: at its end for
    /// time-ordered ones, anywhere for random ones.
    /// </summary>
    int WithFreshId(byte[] template, Span<byte> destination)
    {
        template.CopyTo(destination);
        Guid id = ids == IdKind.V7 ? Guid.CreateVersion7() : Guid.NewGuid();
        id.TryFormat(destination.Slice(4, IdLength), out _, "D");
        return template.Length;
    }

    public override int Parse(RequestKind kind, ReadOnlySpan<byte> buffer, out Reply reply)
    {
        reply = default;
        var lf = FindLine(buffer, 0, out var length);
        if (lf < 0) return 0;
        var line = buffer[..length];
        if (line.SequenceEqual("+OK"u8) && kind is RequestKind.Add or RequestKind.Complete)
        {
            reply = Reply.Ok;
            return lf + 1;
        }
        if (line.SequenceEqual("-TIMEOUT"u8) && kind is RequestKind.Lease)
        {
            reply = Reply.Timeout;
            return lf + 1;
        }
        if (line.SequenceEqual("+OK 1"u8) && kind is RequestKind.Lease or RequestKind.Run)
            return ParseRecord(kind, buffer, lf + 1, out reply);
        throw Unexpected(kind, line);
    }

    /// <summary>
    /// <c>&lt;id&gt; ... &lt;size&gt;\r\n&lt;data&gt;\r\n</c>: the id first, the data size last
    /// (a lease's <c>id name ttr size</c> and a run's <c>id success size</c> alike).
    /// </summary>
    static int ParseRecord(RequestKind kind, ReadOnlySpan<byte> buffer, int start, out Reply reply)
    {
        reply = default;
        var lf = FindLine(buffer, start, out var length);
        if (lf < 0) return 0;
        var header = buffer.Slice(start, length);
        var size = ParseSize(header[(header.LastIndexOf((byte)' ') + 1)..]);
        if (size < 0 || header.Length < IdLength || header[IdLength] != ' ') throw Unexpected(kind, header);
        var end = lf + 1 + size + 2;
        if (buffer.Length < end) return 0;
        if (kind == RequestKind.Run && header[IdLength + 1] != '1') throw Unexpected(kind, header);
        reply = new Reply(ReplyKind.Record, start, IdLength);
        return end;
    }
}
