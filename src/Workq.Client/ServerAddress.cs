using System.Globalization;

namespace Workq.Client;

/// <summary>A server's <c>HOST:PORT</c>: a host name or IP address (IPv6 in brackets) and a port.</summary>
internal sealed record ServerAddress(string Host, int Port)
{
    public static ServerAddress Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        int colon = text.LastIndexOf(':');
        if (colon <= 0)
            throw Invalid(text);
        string host = text[..colon];
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
            throw Invalid(text);
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        else if (host.Contains(':'))
            throw Invalid(text); // an IPv6 address needs brackets, or the port is ambiguous
        if (host.Length == 0)
            throw Invalid(text);
        return new ServerAddress(host, port);
    }

    /// <summary>One address, or several separated by commas (the members of a cluster).</summary>
    public static ServerAddress[] ParseList(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        return [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Parse).Distinct()];
    }

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    private static ArgumentException Invalid(string text) =>
        new($"'{text}' is not a Workq server address: expected HOST:PORT, e.g. 127.0.0.1:9922, or several separated by commas.",
            nameof(WorkqClientOptions.Server));
}
