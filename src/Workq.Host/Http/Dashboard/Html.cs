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
}
