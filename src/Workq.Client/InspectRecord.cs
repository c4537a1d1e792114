using System.Globalization;

namespace Workq.Client;

/// <summary>
/// One record of an <c>inspect</c> reply as read off the wire: its label and its keys in
/// order. A key whose size came before it (<c>payload</c> after <c>payload-size</c>,
/// <c>result</c> after <c>result-size</c>) holds raw bytes and is kept apart. The typed
/// accessors throw <see cref="InvalidDataException"/> for a missing or malformed value.
/// </summary>
internal sealed class InspectRecord(string label, IReadOnlyList<KeyValuePair<string, string>> textKeys, IReadOnlyDictionary<string, byte[]>? data)
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    public string Label { get; } = label;

    /// <summary>Every key but those of raw data, with its value as text.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> TextKeys { get; } = textKeys;

    public byte[]? Payload => Data("payload");

    /// <summary>The raw data of a key sized before it, if the record has it.</summary>
    public byte[]? Data(string key) => data is not null && data.TryGetValue(key, out byte[]? bytes) ? bytes : null;

    public TimeSpan Millis(string key) => TimeSpan.FromMilliseconds(Number(key));

    public bool Has(string key) => TryFind(key, out _);

    public string Text(string key) => TryFind(key, out string? value) ? value : throw Missing(key);

    public long Number(string key) =>
        long.TryParse(Text(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
            ? n
            : throw Malformed(key);

    public int Int32(string key)
    {
        long n = Number(key);
        return n is >= int.MinValue and <= int.MaxValue ? (int)n : throw Malformed(key);
    }

    public DateTimeOffset Time(string key) =>
        DateTimeOffset.TryParseExact(Text(key), TimeFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset t)
            ? t
            : throw Malformed(key);

    public Guid LabelAsId() =>
        Guid.TryParseExact(Label, "D", out Guid id) ? id : throw new InvalidDataException($"a job record labelled '{Label}', not an id");

    public InvalidDataException Missing(string key) => new($"record {Label} has no key {key}");

    private InvalidDataException Malformed(string key) => new($"record {Label} has a malformed {key}: '{Text(key)}'");

    private bool TryFind(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        foreach (KeyValuePair<string, string> pair in TextKeys)
        {
            if (pair.Key == key)
            {
                value = pair.Value;
                return true;
            }
        }
        value = null;
        return false;
    }
}
