using System.Buffers;

namespace Workq.Host.CommandLog;

/// <summary>An <see cref="IBufferWriter{T}"/> that passes what it holds on to a stream every megabyte or so.</summary>
internal sealed class StreamBufferWriter(Stream stream) : IBufferWriter<byte>
{
    private const int FlushAt = 1 << 20;
    private readonly ArrayBufferWriter<byte> buffer = new(FlushAt * 2);

    public void Advance(int count) => buffer.Advance(count);

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        FlushIfFull();
        return buffer.GetMemory(sizeHint);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        FlushIfFull();
        return buffer.GetSpan(sizeHint);
    }

    public void Flush()
    {
        stream.Write(buffer.WrittenSpan);
        buffer.ResetWrittenCount();
    }

    private void FlushIfFull()
    {
        if (buffer.WrittenCount >= FlushAt)
            Flush();
    }
}
