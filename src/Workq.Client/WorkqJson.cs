using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Workq.Client;

/// <summary>
/// Typed payloads and results as JSON, with System.Text.Json: <see cref="Serialize{T}(T, JsonTypeInfo{T})"/>
/// makes the bytes of a job's payload (or a worker's result), and <c>PayloadAs</c> and
/// <c>ResultAs</c> read them back.
/// </summary>
/// <remarks>
/// Each method comes twice. The one that takes a <see cref="JsonTypeInfo{T}"/> uses the
/// metadata of a source-generated <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>
/// (<c>MyJson.Default.Order</c>): no reflection, fit for trimming and native AOT. The one
/// that takes <see cref="JsonSerializerOptions"/> (by default
/// <see cref="JsonSerializerOptions.Web"/>: camelCase names, numbers read from strings too)
/// uses reflection.
/// </remarks>
public static class WorkqJson
{
    private const string ReflectionWarning =
        "JSON by reflection may need types that trimming removes; pass a source-generated JsonTypeInfo instead.";

    private const string DynamicCodeWarning =
        "JSON by reflection may make code at run time; pass a source-generated JsonTypeInfo instead.";

    /// <summary>The value as UTF-8 JSON, by source-generated metadata.</summary>
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
    }

    /// <summary>The value as UTF-8 JSON, by reflection.</summary>
    [RequiresUnreferencedCode(ReflectionWarning)]
    [RequiresDynamicCode(DynamicCodeWarning)]
    public static byte[] Serialize<T>(T value, JsonSerializerOptions? options = null) =>
        JsonSerializer.SerializeToUtf8Bytes(value, options ?? JsonSerializerOptions.Web);

    /// <summary>UTF-8 JSON read as a <typeparamref name="T"/>, by source-generated metadata.</summary>
    /// <exception cref="JsonException">The data is not JSON of a <typeparamref name="T"/>.</exception>
    public static T? Deserialize<T>(ReadOnlyMemory<byte> data, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return JsonSerializer.Deserialize(data.Span, typeInfo);
    }

    /// <summary>UTF-8 JSON read as a <typeparamref name="T"/>, by reflection.</summary>
    /// <exception cref="JsonException">The data is not JSON of a <typeparamref name="T"/>.</exception>
    [RequiresUnreferencedCode(ReflectionWarning)]
    [RequiresDynamicCode(DynamicCodeWarning)]
    public static T? Deserialize<T>(ReadOnlyMemory<byte> data, JsonSerializerOptions? options = null) =>
        JsonSerializer.Deserialize<T>(data.Span, options ?? JsonSerializerOptions.Web);

    /// <summary>The leased job's payload, read as JSON by source-generated metadata.</summary>
    /// <exception cref="JsonException">The payload is not JSON of a <typeparamref name="T"/>.</exception>
    public static T? PayloadAs<T>(this LeasedJob job, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Deserialize(job.Payload, typeInfo);
    }

    /// <summary>The leased job's payload, read as JSON by reflection.</summary>
    /// <exception cref="JsonException">The payload is not JSON of a <typeparamref name="T"/>.</exception>
    [RequiresUnreferencedCode(ReflectionWarning)]
    [RequiresDynamicCode(DynamicCodeWarning)]
    public static T? PayloadAs<T>(this LeasedJob job, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Deserialize<T>(job.Payload, options);
    }

    /// <summary>The inspected job's payload, read as JSON by source-generated metadata.</summary>
    /// <exception cref="JsonException">The payload is not JSON of a <typeparamref name="T"/>.</exception>
    public static T? PayloadAs<T>(this JobInfo job, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Deserialize(job.Payload, typeInfo);
    }

    /// <summary>The inspected job's payload, read as JSON by reflection.</summary>
    /// <exception cref="JsonException">The payload is not JSON of a <typeparamref name="T"/>.</exception>
    [RequiresUnreferencedCode(ReflectionWarning)]
    [RequiresDynamicCode(DynamicCodeWarning)]
    public static T? PayloadAs<T>(this JobInfo job, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Deserialize<T>(job.Payload, options);
    }

    /// <summary>The job's result, read as JSON by source-generated metadata.</summary>
    /// <exception cref="JsonException">The result is not JSON of a <typeparamref name="T"/>.</exception>
    public static T? ResultAs<T>(this JobResult result, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Deserialize(result.Result, typeInfo);
    }

    /// <summary>The job's result, read as JSON by reflection.</summary>
    /// <exception cref="JsonException">The result is not JSON of a <typeparamref name="T"/>.</exception>
    [RequiresUnreferencedCode(ReflectionWarning)]
    [RequiresDynamicCode(DynamicCodeWarning)]
    public static T? ResultAs<T>(this JobResult result, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Deserialize<T>(result.Result, options);
    }
}
