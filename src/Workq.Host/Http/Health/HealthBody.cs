using System.Text.Json.Serialization;

namespace Workq.Host.Http.Health;

/// <summary>The JSON body of <c>/healthz</c> and <c>/readyz</c>: the overall status and each check's.</summary>
internal sealed record HealthBody(string Status, IReadOnlyList<CheckBody> Checks);

/// <summary>One check: its name, status (Healthy, Degraded, Unhealthy) and what it found.</summary>
internal sealed record CheckBody(string Name, string Status, string? Description);

/// <summary>Serialization of the bodies without reflection (Native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthBody))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
