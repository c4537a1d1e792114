using System.Text;
using System.Text.RegularExpressions;

namespace Workq.Client.Hosting;

/// <summary>The result a failed job is reported with: its exception's message, on one line, within the protocol's size limit.</summary>
internal static partial class FailureText
{
    public static byte[] From(Exception exception)
    {
        string message = string.IsNullOrWhiteSpace(exception.Message) ? exception.GetType().Name : exception.Message;
        // One line: whoever reads the result (a log, the workq tool's table) expects one.
        string line = LineBreaks().Replace(message.Trim(), " ");
        return Utf8Within(line, Arguments.MaxDataSize);
    }

    /// <summary>The text as UTF-8, cut to at most <paramref name="limit"/> bytes without splitting a character.</summary>
    private static byte[] Utf8Within(string text, int limit)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= limit)
            return bytes;
        int end = limit;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) // bytes[end] continues the character before it
            end--;
        return bytes[..end];
    }

    [GeneratedRegex(@"\r\n|[\r\n\u0085\u2028\u2029]")]
    private static partial Regex LineBreaks();
}
