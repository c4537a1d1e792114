using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Workq.Host.Http.Dashboard;

/// <summary>How a payload or result is shown: as text, as indented JSON, or as a hex dump.</summary>
internal enum DataKind
{
    Text,
    Json,
    Hex,
}

/// <summary>
/// A payload or result made readable: valid UTF-8 without control characters (but tabs
/// and line ends) is text, and text that is a JSON document is shown indented; anything
/// else is a hex dump. Large data is cut: the view says how much of it it shows.
/// </summary>
internal sealed record DataView(DataKind Kind, string Text, int Shown, long Size)
{
    public const int MaxTextBytes = 64 * 1024;
    public const int MaxHexBytes = 4 * 1024;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public bool Truncated => Shown < Size;

    public static DataView Of(byte[] data)
    {
        if (TryText(data, out string? text))
        {
            if (data.Length <= MaxTextBytes && TryIndentJson(data, out string? json))
                return new DataView(DataKind.Json, json, data.Length, data.Length);
            return new DataView(DataKind.Text, text, Math.Min(data.Length, MaxTextBytes), data.Length);
        }
        int shown = Math.Min(data.Length, MaxHexBytes);
        return new DataView(DataKind.Hex, HexDump(data.AsSpan(0, shown)), shown, data.Length);
    }

    /// <summary>The first <see cref="MaxTextBytes"/> as text, a character cut at the end left out.</summary>
    private static bool TryText(byte[] data, [NotNullWhen(true)] out string? text)
    {
        text = null;
        int length = Math.Min(data.Length, MaxTextBytes);
        // A cut through a character: back up to its first byte.
        if (length < data.Length)
        {
            while (length > 0 && (data[length] & 0xC0) == 0x80)
                length--;
        }
        try
        {
            text = Strict.GetString(data, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        foreach (char c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                return false;
        }
        return true;
    }

    private static bool TryIndentJson(byte[] data, [NotNullWhen(true)] out string? json)
    {
        json = null;
        if (FirstNonSpace(data) is not ((byte)'{' or (byte)'['))
            return false;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return false;
        }
        using (document)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                document.WriteTo(writer);
            json = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        return true;
    }

    private static byte FirstNonSpace(byte[] data)
    {
        foreach (byte b in data)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                return b;
        }
        return 0;
    }

    /// <summary>Sixteen bytes a line: offset, hex, and the printable ASCII.</summary>
    public static string HexDump(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder(data.Length * 4 + 16);
        for (int line = 0; line < data.Length; line += 16)
        {
            ReadOnlySpan<byte> bytes = data.Slice(line, Math.Min(16, data.Length - line));
            text.Append(line.ToString("x8")).Append("  ");
            for (int i = 0; i < 16; i++)
            {
                text.Append(i < bytes.Length ? bytes[i].ToString("x2") : "  ").Append(i == 7 ? "  " : " ");
            }
            text.Append(' ');
            foreach (byte b in bytes)
                text.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
            text.Append('\n');
        }
        return text.ToString();
    }
}
