using System.Globalization;
using System.Text.Json;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Output;

/// <summary>Failed jobs as <c>failed</c> prints them.</summary>
internal static class FailedView
{
    public static void WriteTable(TextWriter writer, IReadOnlyList<FailedJobInfo> jobs)
    {
        var table = new TextTable("ID", "FAILED", ">ATTEMPTS", ">FAILS", ">SIZE", "PAYLOAD", "RESULT");
        foreach (FailedJobInfo failed in jobs)
        {
            JobInfo job = failed.Job;
            table.Add(
                JobIds.Format(job.Id), Times.Format(failed.FailedAt), JobView.Limited(job.Attempts, job.MaxAttempts),
                JobView.Limited(job.Fails, job.MaxFails), job.Payload.Length.ToString(CultureInfo.InvariantCulture),
                DataText.Preview(job.Payload, 30), DataText.Preview(failed.Result, 60));
        }
        table.WriteTo(writer);
    }

    /// <summary>The job's fields, then <c>failedAt</c> and its result.</summary>
    public static void WriteJson(Utf8JsonWriter json, FailedJobInfo failed)
    {
        json.WriteStartObject();
        JobView.WriteJsonFields(json, failed.Job);
        json.WriteString("failedAt", Times.Format(failed.FailedAt));
        JsonData.Write(json, "result", failed.Result);
        json.WriteEndObject();
    }
}
