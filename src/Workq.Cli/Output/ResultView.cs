using System.Text.Json;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Output;

/// <summary>A job's result (<c>result</c>, <c>run</c>) and a leased job (<c>lease</c>).</summary>
internal static class ResultView
{
    /// <summary>The line for standard error that goes with a raw result.</summary>
    public static string Describe(JobResult result) =>
        $"job {JobIds.Format(result.Id)} {(result.Success ? "completed" : "failed")}, result {result.Result.Length} bytes";

    public static void WriteJson(Utf8JsonWriter json, JobResult result)
    {
        json.WriteStartObject();
        json.WriteString("id", result.Id);
        json.WriteBoolean("success", result.Success);
        JsonData.Write(json, "result", result.Result);
        json.WriteEndObject();
    }

    /// <summary>The line for standard error that goes with a raw payload.</summary>
    public static string Describe(LeasedJob job) =>
        $"job {JobIds.Format(job.Id)} from {job.Name}, ttr {Durations.Format(job.Ttr)}{Counts(job)}, payload {job.Payload.Length} bytes";

    /// <summary>The attempt and fail counts, when the server reported them.</summary>
    private static string Counts(LeasedJob job) =>
        job is { Attempts: { } attempts, Fails: { } fails }
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", attempt {attempts}, fails {fails}")
            : "";

    public static void WriteJson(Utf8JsonWriter json, LeasedJob job)
    {
        json.WriteStartObject();
        json.WriteString("id", job.Id);
        json.WriteString("name", job.Name);
        json.WriteNumber("ttr", Durations.Millis(job.Ttr));
        WriteOptional(json, "attempts", job.Attempts);
        WriteOptional(json, "fails", job.Fails);
        JsonData.Write(json, "payload", job.Payload);
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } n)
            json.WriteNumber(name, n);
        else
            json.WriteNull(name);
    }
}
