using System.Buffers;

namespace Workq.Host.Network;

/// <summary>
/// The buffers of one side of a connection (what it received, or what it is sending),
/// rented from the shared array pool and counted until returned: the server's account
/// of what each client holds is what it really holds, buffers and not just their data.
/// </summary>
internal sealed class ConnectionMemory(Action grown) : MemoryPool<byte>
{
    private long held;

    /// <summary>Bytes of buffers rented and not yet returned.</summary>
    public long Held => Interlocked.Read(ref held);

    public override int MaxBufferSize => Array.MaxLength;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        byte[] array = ArrayPool<byte>.Shared.Rent(minBufferSize <= 0 ? Connection.BufferSize : minBufferSize);
        Interlocked.Add(ref held, array.Length);
        grown();
        return new Buffer(this, array);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Buffer(ConnectionMemory owner, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? array = array;

        public Memory<byte> Memory => array ?? throw new ObjectDisposedException(nameof(Buffer));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref array, null) is { } returned)
            {
                Interlocked.Add(ref owner.held, -returned.Length);
                ArrayPool<byte>.Shared.Return(returned);
            }
        }
    }
}
