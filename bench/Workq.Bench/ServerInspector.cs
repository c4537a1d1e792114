using System.Net.Sockets;
using System.Text;

namespace Workq.Bench;

/// <summary>Asks a Workq server <c>inspect server</c> and reads its keys.</summary>
public static class ServerInspector
{
    static readonly byte[] Request = "inspect server\r\n"u8.ToArray();

    /// <summary>The server record's keys and values (<c>jobs</c>, <c>queues</c>, ...), over <paramref name="socket"/>.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> InspectAsync(Socket socket, CancellationToken cancel)
    {
        await socket.SendAsync(Request, SocketFlags.None, cancel);
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel);
            if (read == 0) throw new IOException("the server closed the connection before answering inspect server");
            text.Append(Encoding.Latin1.GetString(buffer, 0, read));
            if (TryParse(text.ToString()) is { } keys) return keys;
        }
    }

    /// <summary><c>+OK 1</c>, <c>server K</c>, then K lines <c>key value</c>; null while not all there.</summary>
    static Dictionary<string, string>? TryParse(string reply)
    {
        var lines = reply.Split('\n');
        // The last piece is what follows the last LF: an unfinished line, or empty.
        var complete = lines.Length - 1;
        if (complete < 1) return null;
        var status = lines[0].TrimEnd('\r');
        if (status != "+OK 1") throw new UnexpectedReplyException($"unexpected reply to inspect server: {status}");
        if (complete < 2) return null;
        var label = lines[1].TrimEnd('\r').Split(' ');
        if (label.Length != 2 || !int.TryParse(label[1], out var count))
            throw new UnexpectedReplyException($"unexpected record header from inspect server: {lines[1]}");
        if (complete < 2 + count) return null;
        var keys = new Dictionary<string, string>();
        for (var i = 2; i < 2 + count; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var space = line.IndexOf(' ');
            keys[space < 0 ? line : line[..space]] = space < 0 ? "" : line[(space + 1)..];
        }
        return keys;
    }
}
