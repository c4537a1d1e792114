using System.Globalization;
using System.Net;

namespace Workq.Host.Configuration;

/// <summary>Parses <c>HOST:PORT</c> the way the original (Go) server accepted it.</summary>
internal static class ListenAddress
{
    public static IPEndPoint Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon < 0)
            throw Invalid(text);
        string host = text[..colon];
        string portText = text[(colon + 1)..];
        if (!ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
            throw Invalid(text);

        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        else if (host.Contains(':'))
            throw Invalid(text); // an IPv6 host must be bracketed, or the port is ambiguous

        // An empty host means every interface, as in Go's net.Listen(":9922").
        IPAddress address = host switch
        {
            "" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(host, out IPAddress? parsed) => parsed,
            _ => throw Invalid(text),
        };
        return new IPEndPoint(address, port);
    }

    private static ListenAddressException Invalid(string text) =>
        new($"invalid listen address '{text}': expected HOST:PORT with an IP address (or localhost) and a port 0-65535");
}
