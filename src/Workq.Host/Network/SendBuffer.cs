using System.Buffers;
using System.Net.Sockets;

namespace Workq.Host.Network;

/// <summary>
/// Reply bytes on their way to the socket, in blocks rented from the connection's
/// <see cref="ConnectionMemory"/> and returned once sent: an idle connection holds none,
/// and a large reply is never held whole (its writer sends as it goes).
/// </summary>
internal sealed class SendBuffer(ConnectionMemory memory) : IBufferWriter<byte>, IDisposable
{
    private readonly List<(IMemoryOwner<byte> Block, int Used)> blocks = [];

    /// <summary>Bytes written and not yet sent.</summary>
    public long Length { get; private set; }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        int wanted = Math.Max(sizeHint, 1);
        if (blocks.Count == 0 || blocks[^1].Block.Memory.Length - blocks[^1].Used < wanted)
            blocks.Add((memory.Rent(Math.Max(wanted, Connection.BufferSize)), 0));
        (IMemoryOwner<byte> block, int used) = blocks[^1];
        return block.Memory[used..];
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Advance(int count)
    {
        (IMemoryOwner<byte> block, int used) = blocks[^1];
        blocks[^1] = (block, used + count);
        Length += count;
    }

    /// <summary>Sends everything written, block by block, then returns the blocks; the bytes sent.</summary>
    public async ValueTask<long> SendAsync(Socket socket, CancellationToken cancellationToken)
    {
        long sent = Length;
        foreach ((IMemoryOwner<byte> block, int used) in blocks)
        {
            ReadOnlyMemory<byte> rest = block.Memory[..used];
            while (!rest.IsEmpty)
                rest = rest[await socket.SendAsync(rest, SocketFlags.None, cancellationToken)..];
        }
        Clear();
        return sent;
    }

    public void Dispose() => Clear();

    private void Clear()
    {
        foreach ((IMemoryOwner<byte> block, _) in blocks)
            block.Dispose();
        blocks.Clear();
        Length = 0;
    }
}
