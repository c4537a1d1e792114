using System.Buffers;
using System.Globalization;
using System.Text;

namespace Workq.Client;

/// <summary>
/// One request's bytes, command line and data block together, so that they go out in a
/// single write. The buffer is pooled: dispose the request once it is sent.
/// </summary>
internal sealed class Request : IDisposable
{
    private static readonly byte[] NewLine = "\r\n"u8.ToArray();

    private byte[] buffer;
    private int length;

    public Request(string command)
    {
        Command = command;
        buffer = ArrayPool<byte>.Shared.Rent(256);
        Append(Encoding.ASCII.GetBytes(command));
    }

    /// <summary>The command's name, for messages (e.g. <c>add</c>, <c>inspect job</c>).</summary>
    public string Command { get; }

    public ReadOnlyMemory<byte> Bytes => buffer.AsMemory(0, length);

    public Request Word(string word)
    {
        Space();
        int size = Encoding.UTF8.GetByteCount(word);
        Reserve(size);
        length += Encoding.UTF8.GetBytes(word, buffer.AsSpan(length));
        return this;
    }

    public Request Number(long value)
    {
        Space();
        Reserve(20);
        value.TryFormat(buffer.AsSpan(length), out int written, default, CultureInfo.InvariantCulture);
        length += written;
        return this;
    }

    public Request Id(Guid id)
    {
        Space();
        Reserve(36);
        id.TryFormat(buffer.AsSpan(length), out int written, "D");
        length += written;
        return this;
    }

    /// <summary>A UTC time with milliseconds, <c>YYYY-MM-DDTHH:MM:SS.fffZ</c>.</summary>
    public Request Time(DateTimeOffset time) =>
        Word(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    /// <summary><c>-key=value</c>, left out when the value is the protocol's default of 0.</summary>
    public Request Flag(string key, long value) =>
        value == 0 ? this : Word(string.Create(CultureInfo.InvariantCulture, $"-{key}={value}"));

    /// <summary>Ends the command line.</summary>
    public Request EndLine()
    {
        Append(NewLine);
        return this;
    }

    /// <summary>The data block after the command line: the bytes, then CR LF.</summary>
    public Request Block(ReadOnlyMemory<byte> data)
    {
        Append(data.Span);
        Append(NewLine);
        return this;
    }

    public void Dispose()
    {
        byte[] rented = buffer;
        buffer = [];
        length = 0;
        if (rented.Length > 0)
            ArrayPool<byte>.Shared.Return(rented);
    }

    private void Space() => Append(" "u8);

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    /// <summary>Makes room for <paramref name="more"/> bytes.</summary>
    private void Reserve(int more)
    {
        if (length + more <= buffer.Length)
            return;
        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(length + more, buffer.Length * 2));
        buffer.AsSpan(0, length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
    }
}
