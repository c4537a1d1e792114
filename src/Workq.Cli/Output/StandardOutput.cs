using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Workq.Cli.Output;

/// <summary>
/// Standard output as a byte stream: payloads and results go out raw, as the bytes they
/// are; text (ids, tables, help) goes through a UTF-8 writer over the same stream. Every
/// switch between the two flushes the writer, so they never land out of order.
/// </summary>
/// <remarks>
/// It is flushed, not disposed, at the end: the stream belongs to the caller, and a
/// failing flush (a closed pipe, say) must surface while it can still set the exit code.
/// </remarks>
internal sealed class StandardOutput
{
    // Readable output for people and scripts alike: no \u escapes for non-ASCII text or
    // for characters that only matter inside HTML.
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Stream stream;

    public StandardOutput(Stream stream)
    {
        this.stream = stream;
        Text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { NewLine = "\n" };
    }

    /// <summary>For text; flushed before any raw write and at the end.</summary>
    public TextWriter Text { get; }

    public async Task WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await Text.FlushAsync(cancellationToken);
        await stream.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>Writes one JSON value, then a line end.</summary>
    public async Task WriteJsonAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        await Text.FlushAsync(cancellationToken);
        await using (var json = new Utf8JsonWriter(stream, JsonOptions))
        {
            write(json);
            await json.FlushAsync(cancellationToken);
        }
        await Text.WriteLineAsync();
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await Text.FlushAsync(cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
