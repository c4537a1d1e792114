using System.Text;
using System.Text.Unicode;

namespace Workq.Cli.Output;

/// <summary>
/// Payloads and results inside tables and JSON, where raw bytes cannot go: UTF-8 text is
/// shown as text (control characters escaped in tables), anything else by its size.
/// </summary>
internal static class DataText
{
    /// <summary>The data as a string, or null when it is not valid UTF-8.</summary>
    public static string? AsText(ReadOnlyMemory<byte> data) =>
        Utf8.IsValid(data.Span) ? Encoding.UTF8.GetString(data.Span) : null;

    /// <summary>One line for a table cell, at most <paramref name="max"/> characters of text.</summary>
    public static string Preview(ReadOnlyMemory<byte> data, int max)
    {
        string? text = AsText(data);
        if (text is null)
            return $"({data.Length} bytes, not text)";
        var line = new StringBuilder();
        foreach (char c in text)
        {
            if (line.Length >= max)
            {
                line.Append("...");
                break;
            }
            line.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\\' => "\\\\",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return line.ToString();
    }
}
