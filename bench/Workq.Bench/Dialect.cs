using System.Text;

namespace Workq.Bench;

/// <summary>
/// One server's protocol: how to write each request into a send buffer and how to read
/// its reply straight from the receive buffer.
/// </summary>
public abstract class Dialect
{
    /// <summary>Shown in reports: "workq" or "beanstalkd".</summary>
    public abstract string Name { get; }

    /// <summary>The server's own name of each request kind, for tables.</summary>
    public abstract string CommandName(RequestKind kind);

    public abstract bool SupportsRun { get; }

    /// <summary>An upper bound of any request's size, so the caller can reserve space once.</summary>
    public abstract int MaxRequestSize { get; }

    public abstract int WriteAdd(Span<byte> destination);
    public abstract int WriteLease(Span<byte> destination);
    public abstract int WriteComplete(Span<byte> destination, ReadOnlySpan<byte> id);
    public abstract int WriteRun(Span<byte> destination);

    /// <summary>
    /// Parses the reply to a request of <paramref name="kind"/> at the start of
    /// <paramref name="buffer"/>: the bytes it takes, or 0 when it is not all there yet.
    /// Throws <see cref="UnexpectedReplyException"/> for an error reply.
    /// </summary>
    public abstract int Parse(RequestKind kind, ReadOnlySpan<byte> buffer, out Reply reply);

    /// <summary>A line end: the index of its LF, or -1; <paramref name="lineLength"/> excludes CR LF.</summary>
    protected static int FindLine(ReadOnlySpan<byte> buffer, int from, out int lineLength)
    {
        var lf = buffer[from..].IndexOf((byte)'\n');
        if (lf < 0)
        {
            lineLength = 0;
            return -1;
        }
        lf += from;
        lineLength = lf > from && buffer[lf - 1] == '\r' ? lf - from - 1 : lf - from;
        return lf;
    }

    /// <summary>Reads a decimal number, or -1 when the text is not one.</summary>
    protected static int ParseSize(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty || digits.Length > 9) return -1;
        var value = 0;
        foreach (var b in digits)
        {
            if (b < '0' || b > '9') return -1;
            value = value * 10 + (b - '0');
        }
        return value;
    }

    protected static UnexpectedReplyException Unexpected(RequestKind kind, ReadOnlySpan<byte> line) =>
        new($"unexpected reply to {kind}: {Encoding.Latin1.GetString(line)}");

    protected static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>Filler data: printable, so a captured session stays readable.</summary>
    protected static byte[] Filler(int size)
    {
        var data = new byte[size];
        for (var i = 0; i < size; i++) data[i] = (byte)('a' + i % 26);
        return data;
    }
}
