using System.Text;

namespace Workq.Client.Hosting;

/// <summary>
/// What a job handler hands back: the data its job is completed with. A handler returns
/// a <see cref="string"/> (sent as UTF-8), a <c>byte[]</c> or a
/// <see cref="ReadOnlyMemory{T}"/> of bytes, each converted implicitly.
/// </summary>
/// <remarks>
/// The protocol takes at most 1 MiB of result; a larger output fails the job with a
/// message saying so.
/// </remarks>
public readonly struct JobOutput
{
    /// <summary>An output of the given bytes.</summary>
    public JobOutput(ReadOnlyMemory<byte> data) => Data = data;

    /// <summary>No data: the job is completed with an empty result.</summary>
    public static JobOutput Empty => default;

    /// <summary>The bytes the job is completed with.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>An output of <paramref name="text"/> as UTF-8.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static JobOutput FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new JobOutput(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>An output of the given bytes.</summary>
    public static JobOutput FromBytes(ReadOnlyMemory<byte> data) => new(data);

    /// <summary>An output of <paramref name="value"/> as JSON, by source-generated metadata (see <see cref="WorkqJson"/>).</summary>
    public static JobOutput FromJson<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        new(WorkqJson.Serialize(value, typeInfo));

    /// <summary>An output of <paramref name="value"/> as JSON, by reflection (see <see cref="WorkqJson"/>).</summary>
    [System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode("JSON by reflection may need types that trimming removes; pass a source-generated JsonTypeInfo instead.")]
    [System.Diagnostics.CodeAnalysis.RequiresDynamicCode("JSON by reflection may make code at run time; pass a source-generated JsonTypeInfo instead.")]
    public static JobOutput FromJson<T>(T value, System.Text.Json.JsonSerializerOptions? options = null) =>
        new(WorkqJson.Serialize(value, options));

    /// <summary>Text, sent as UTF-8.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static implicit operator JobOutput(string text) => FromText(text);

    /// <summary>Bytes, sent as they are.</summary>
    public static implicit operator JobOutput(byte[] data) => new(data);

    /// <summary>Bytes, sent as they are.</summary>
    public static implicit operator JobOutput(ReadOnlyMemory<byte> data) => new(data);
}
