using System.Text.Json;

namespace Workq.Cli.Output;

/// <summary>
/// Payloads and results in JSON: <c>NAME</c> holds the text (null when the bytes are not
/// UTF-8), <c>NAMEBase64</c> always holds the exact bytes and <c>NAMESize</c> their count.
/// </summary>
internal static class JsonData
{
    public static void Write(Utf8JsonWriter json, string name, ReadOnlyMemory<byte> data)
    {
        if (DataText.AsText(data) is { } text)
            json.WriteString(name, text);
        else
            json.WriteNull(name);
        json.WriteBase64String(name + "Base64", data.Span);
        json.WriteNumber(name + "Size", data.Length);
    }
}
