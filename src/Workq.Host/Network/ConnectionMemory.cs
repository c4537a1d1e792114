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

    /// <summary>
    /// A returned buffer's wrapper, kept for the next rent: the pipes rent and return a
    /// buffer for nearly every receive and send, and each wrapper would be garbage.
    /// </summary>
    private Buffer? spare;

    /// <summary>Bytes of buffers rented and not yet returned.</summary>
    public long Held => Interlocked.Read(ref held);

    public override int MaxBufferSize => Array.MaxLength;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        byte[] array = ArrayPool<byte>.Shared.Rent(minBufferSize <= 0 ? Connection.BufferSize : minBufferSize);
        Interlocked.Add(ref held, array.Length);
        grown();
        if (Interlocked.Exchange(ref spare, null) is not { } buffer)
            return new Buffer(this, array);
        buffer.Hold(array);
        return buffer;
    }

    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>A rented array until disposed; then, while spare, nothing.</summary>
    private sealed class Buffer(ConnectionMemory owner, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? array = array;

        public Memory<byte> Memory => array ?? throw new ObjectDisposedException(nameof(Buffer));

        public void Hold(byte[] rented) => Volatile.Write(ref array, rented);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref array, null) is { } returned)
            {
                Interlocked.Add(ref owner.held, -returned.Length);
                ArrayPool<byte>.Shared.Return(returned);
                Interlocked.CompareExchange(ref owner.spare, this, null);
            }
        }
    }
}
