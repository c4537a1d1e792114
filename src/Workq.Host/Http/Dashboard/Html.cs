using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Workq.Domain;

namespace Workq.Host.Http.Dashboard;

/// <summary>What the pages put into HTML: text encoded, numbers, instants and durations as people read them.</summary>
internal static class Html
{
    /// <summary>Text as HTML text or an attribute's value: everything that could end either is encoded.</summary>
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>A path segment, for a link.</summary>
    public static string Segment(string text) => Uri.EscapeDataString(text);

    public static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>An instant in UTC, to the millisecond.</summary>
    public static string At(long instant) => Workq.Domain.Time.formatPrecise(instant);

    /// <summary>A span of milliseconds: "250 ms", "1.5 s", "3.2 min", "2.0 h", "4.1 d".</summary>
    public static string Span(long ms)
    {
        string sign = ms < 0 ? "−" : "";
        double a = Math.Abs((double)ms);
        string text = a switch
        {
            < 1000 => $"{a:0} ms",
            < 60_000 => $"{a / 1000:0.#} s",
            < 3_600_000 => $"{a / 60_000:0.#} min",
            < 86_400_000 => $"{a / 3_600_000:0.#} h",
            _ => $"{a / 86_400_000:0.#} d",
        };
        return sign + text;
    }

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB",
    };

    public static string Rate(double perSecond) =>
        perSecond >= 10 ? perSecond.ToString("0", CultureInfo.InvariantCulture)
        : perSecond >= 0.05 ? perSecond.ToString("0.0", CultureInfo.InvariantCulture)
        : "0";

    /// <summary>A figure with its label; <paramref name="field"/> names it for the live updates.</summary>
    public static void Card(StringBuilder html, string label, string valueHtml, string? field) =>
        html.Append("<div class=\"card\"><div class=\"label\">").Append(label).Append("</div><div class=\"value\"")
            .Append(field is null ? "" : $" data-field=\"{field}\"").Append('>').Append(valueHtml).Append("</div></div>");

    /// <summary>The <c>offset</c> of a page's address: 0 when absent or negative.</summary>
    public static int Offset(Microsoft.AspNetCore.Http.HttpRequest request) =>
        int.TryParse(request.Query["offset"], out int offset) ? Math.Max(0, offset) : 0;

    /// <summary>
    /// "Previous", "first–last of total", "Next" for a list shown <paramref name="shown"/> at a
    /// time from <paramref name="offset"/>; <paramref name="link"/> makes a page's address (HTML-encoded).
    /// </summary>
    public static void Pager(StringBuilder html, int offset, int shown, int pageSize, int total, Func<int, string> link)
    {
        if (total == 0)
            return;
        int last = Math.Min(total, offset + shown);
        html.Append("<nav class=\"pager\" aria-label=\"Pages\">");
        if (offset > 0)
            html.Append("<a class=\"button secondary\" rel=\"prev\" href=\"").Append(link(Math.Max(0, offset - pageSize))).Append("\">Previous</a>");
        html.Append("<span>").Append(N(offset + (shown > 0 ? 1 : 0))).Append('–').Append(N(last)).Append(" of ").Append(N(total)).Append("</span>");
        if (last < total)
            html.Append("<a class=\"button secondary\" rel=\"next\" href=\"").Append(link(offset + pageSize)).Append("\">Next</a>");
        html.Append("</nav>");
    }
}
