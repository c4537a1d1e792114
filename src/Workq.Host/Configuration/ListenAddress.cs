using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Workq.Host.Configuration;

/// <summary>Reads <c>HOST:PORT</c> the way the original (Go) server accepted it.</summary>
internal static class ListenAddress
{
    public const string Expected = "expected HOST:PORT with an IP address (or localhost) and a port 0-65535";

    public static bool TryParse(string text, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        int colon = text.LastIndexOf(':');
        if (colon < 0)
            return false;
        string host = text[..colon];
        if (!ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
            return false;

        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        else if (host.Contains(':'))
            return false; // an IPv6 host must be bracketed, or the port is ambiguous

        // An empty host means every interface, as in Go's net.Listen(":9922").
        IPAddress? address = host switch
        {
            "" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : null,
        };
        if (address is null)
            return false;
        endPoint = new IPEndPoint(address, port);
        return true;
    }
}
