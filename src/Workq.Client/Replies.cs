using System.Globalization;

namespace Workq.Client;

/// <summary>
/// Reads each kind of reply off a connection, as the protocol spells it. An error line
/// (<c>-CODE text</c>) becomes a <see cref="WorkqException"/>, after which the connection
/// is clean; anything the protocol does not allow is an <see cref="InvalidDataException"/>.
/// </summary>
internal static class Replies
{
    /// <summary><c>+OK</c></summary>
    public static async ValueTask DoneAsync(Connection connection, string command, CancellationToken cancellationToken)
    {
        string line = await FirstLineAsync(connection, command, cancellationToken);
        if (line != "+OK")
            throw Unexpected(line);
    }

    /// <summary><c>+OK 1</c>, then <c>&lt;id&gt; &lt;success&gt; &lt;size&gt;</c> and the result.</summary>
    public static async ValueTask<JobResult> ResultAsync(Connection connection, string command, CancellationToken cancellationToken)
    {
        await OneRecordAsync(connection, command, cancellationToken);
        string line = await connection.ReadLineAsync(cancellationToken);
        string[] words = Words(line, 3);
        bool success = words[1] switch
        {
            "1" => true,
            "0" => false,
            _ => throw Unexpected(line),
        };
        byte[] result = await connection.ReadBlockAsync(Size(words[2], line), cancellationToken);
        return new JobResult(Id(words[0], line), success, result);
    }

    /// <summary>
    /// <c>+OK 1</c>, then <c>&lt;id&gt; &lt;name&gt; &lt;ttr&gt; &lt;attempts&gt; &lt;fails&gt; &lt;size&gt;</c>
    /// (the answer to <c>-counts=1</c>) or <c>&lt;id&gt; &lt;name&gt; &lt;ttr&gt; &lt;size&gt;</c> (from a
    /// server that ignores the flag), and the payload; null for <c>-TIMEOUT</c>, which a
    /// polling worker meets all the time (so it costs no exception).
    /// </summary>
    public static async ValueTask<LeasedJob?> LeaseAsync(Connection connection, string command, CancellationToken cancellationToken)
    {
        string first = await connection.ReadLineAsync(cancellationToken);
        if (first == "-" + WorkqTimeoutException.ReplyCode)
            return null;
        ExpectOneRecord(command, first);
        string line = await connection.ReadLineAsync(cancellationToken);
        string[] words = line.Split(' ');
        if (words.Length is not (4 or 6))
            throw Unexpected(line);
        bool counted = words.Length == 6;
        TimeSpan ttr = TimeSpan.FromMilliseconds(Size(words[2], line));
        byte[] payload = await connection.ReadBlockAsync(Size(words[^1], line), cancellationToken);
        return new LeasedJob(Id(words[0], line), words[1], ttr, payload)
        {
            Attempts = counted ? Size(words[3], line) : null,
            Fails = counted ? Size(words[4], line) : null,
        };
    }

    /// <summary>
    /// <c>+OK &lt;count&gt;</c> and that many records, each a header <c>&lt;label&gt; &lt;key-count&gt;</c>
    /// and key-count lines <c>&lt;key&gt; &lt;value&gt;</c>. Keys the client does not know are kept,
    /// not rejected; the value of a key whose size came before it, as <c>&lt;key&gt;-size</c>
    /// (<c>payload</c>, <c>result</c>), is raw data, read by that size.
    /// </summary>
    public static async ValueTask<List<InspectRecord>> RecordsAsync(Connection connection, string command, CancellationToken cancellationToken)
    {
        string first = await FirstLineAsync(connection, command, cancellationToken);
        if (!first.StartsWith("+OK ", StringComparison.Ordinal))
            throw Unexpected(first);
        int count = Size(first[4..], first);
        var records = new List<InspectRecord>(Math.Min(count, 100));
        for (int i = 0; i < count; i++)
            records.Add(await RecordAsync(connection, cancellationToken));
        return records;
    }

    private static async ValueTask<InspectRecord> RecordAsync(Connection connection, CancellationToken cancellationToken)
    {
        string header = await connection.ReadLineAsync(cancellationToken);
        int space = header.LastIndexOf(' ');
        if (space <= 0)
            throw Unexpected(header);
        string label = header[..space];
        int keyCount = Size(header[(space + 1)..], header);
        var keys = new List<KeyValuePair<string, string>>(keyCount);
        Dictionary<string, byte[]>? data = null;
        for (int i = 0; i < keyCount; i++)
        {
            string key = await connection.ReadWordAsync(cancellationToken);
            if (keys.Count > 0 && keys[^1].Key == key + "-size")
            {
                // Raw bytes that may hold anything, CR LF included: read by size, not to the line end.
                data ??= [];
                data[key] = await connection.ReadBlockAsync(Size(keys[^1].Value, header), cancellationToken);
            }
            else if (key == "payload")
            {
                throw new InvalidDataException($"record {label}: payload before payload-size");
            }
            else
            {
                keys.Add(new(key, await connection.ReadLineAsync(cancellationToken)));
            }
        }
        return new InspectRecord(label, keys, data);
    }

    /// <summary><c>+OK 1</c>: the start of a result or lease reply.</summary>
    private static async ValueTask OneRecordAsync(Connection connection, string command, CancellationToken cancellationToken) =>
        ExpectOneRecord(command, await connection.ReadLineAsync(cancellationToken));

    private static void ExpectOneRecord(string command, string line)
    {
        ThrowIfError(command, line);
        if (line != "+OK 1")
            throw Unexpected(line);
    }

    /// <summary>The reply's first line; an error reply is thrown as its <see cref="WorkqException"/>.</summary>
    private static async ValueTask<string> FirstLineAsync(Connection connection, string command, CancellationToken cancellationToken)
    {
        string line = await connection.ReadLineAsync(cancellationToken);
        ThrowIfError(command, line);
        return line;
    }

    private static void ThrowIfError(string command, string line)
    {
        if (line.StartsWith('-') && line.Length > 1)
            throw WorkqException.FromReply(command, line);
    }

    private static string[] Words(string line, int count)
    {
        string[] words = line.Split(' ');
        return words.Length == count ? words : throw Unexpected(line);
    }

    /// <summary>A size or count: a non-negative decimal number.</summary>
    private static int Size(string text, string line) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : throw Unexpected(line);

    private static Guid Id(string text, string line) =>
        Guid.TryParseExact(text, "D", out Guid id) ? id : throw Unexpected(line);

    private static InvalidDataException Unexpected(string line) =>
        new($"unexpected reply line '{(line.Length > 200 ? line[..200] + "..." : line)}'");
}
