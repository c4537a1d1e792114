using System.Buffers;
using System.Text;
using Workq.Domain;
using Workq.Host.Memory;

namespace Workq.Host.Network;

/// <summary>How far <see cref="RequestFramer.TryRead"/> got.</summary>
internal enum FrameStatus
{
    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,
    /// <summary>A command line and its data (empty when it carries none).</summary>
    Complete,
    /// <summary>The request stream cannot be followed: answer the error, then close.</summary>
    Fatal,
}

/// <summary>
/// Cuts one request off the front of the received bytes (protocol §1): a line ending in
/// LF (one CR before it is dropped) and, when the line says so, exactly <c>size</c> data
/// bytes and CR LF. Which lines carry data is the core's call (<see cref="Framing"/>).
/// </summary>
internal static class RequestFramer
{
    private static readonly int MaxLine = Sizes.maxLine;
    private static readonly byte[] NoData = [];

    /// <summary>
    /// Reads one request from the front of <paramref name="buffer"/>, and on Complete or
    /// Fatal slices it off. Data bytes are only ever copied, never read as lines. When
    /// Incomplete, <paramref name="needed"/> is how many bytes the request takes in all, if
    /// its line says (and 0 if not yet): nothing is worth reading again before they are there.
    /// </summary>
    public static FrameStatus TryRead(
        ref ReadOnlySequence<byte> buffer, out string line, out byte[] data, out ClientError? error, out long needed)
    {
        line = "";
        data = NoData;
        error = null;
        needed = 0;

        // A valid line end sits at most at index MaxLine + 1 (MaxLine bytes, then CR): look no further.
        ReadOnlySequence<byte> window = buffer.Length > MaxLine + 2 ? buffer.Slice(0, MaxLine + 2) : buffer;
        SequencePosition? lf = window.PositionOf((byte)'\n');
        if (lf is null)
        {
            bool tooLong = buffer.Length > MaxLine + 1
                || (buffer.Length == MaxLine + 1 && LastByte(buffer) != (byte)'\r');
            if (!tooLong)
                return FrameStatus.Incomplete;
            error = ClientError.LineTooLong;
            return FrameStatus.Fatal;
        }

        ReadOnlySequence<byte> lineBytes = buffer.Slice(0, lf.Value);
        long afterLine = lineBytes.Length + 1;
        if (!lineBytes.IsEmpty && LastByte(lineBytes) == (byte)'\r')
            lineBytes = lineBytes.Slice(0, lineBytes.Length - 1);
        if (lineBytes.Length > MaxLine)
        {
            error = ClientError.LineTooLong;
            return FrameStatus.Fatal;
        }

        line = Encoding.Latin1.GetString(lineBytes);
        switch (Framing.classify(line))
        {
            case Frame.Fatal fatal:
                error = fatal.Item;
                return FrameStatus.Fatal;

            case Frame.WithData withData:
                int size = withData.size;
                long end = afterLine + size + 2;
                if (buffer.Length < end)
                {
                    needed = end;
                    return FrameStatus.Incomplete;
                }
                ReadOnlySequence<byte> dataEnd = buffer.Slice(afterLine + size, 2);
                if (!IsCrLf(dataEnd))
                {
                    error = Framing.badDataEnd(line);
                    return FrameStatus.Fatal;
                }
                data = buffer.Slice(afterLine, size).ToArray();
                LargeAllocations.Added(size);
                buffer = buffer.Slice(end);
                return FrameStatus.Complete;

            default:
                buffer = buffer.Slice(afterLine);
                return FrameStatus.Complete;
        }
    }

    private static byte LastByte(ReadOnlySequence<byte> bytes) => bytes.Slice(bytes.Length - 1).FirstSpan[0];

    private static bool IsCrLf(ReadOnlySequence<byte> two)
    {
        Span<byte> pair = stackalloc byte[2];
        two.CopyTo(pair);
        return pair[0] == (byte)'\r' && pair[1] == (byte)'\n';
    }
}
