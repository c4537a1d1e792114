using System.Globalization;
using System.Text.Json;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Output;

/// <summary>Jobs as <c>inspect job</c>, <c>inspect jobs</c> and <c>inspect scheduled-jobs</c> print them.</summary>
internal static class JobView
{
    /// <summary>One job, a field a line, the payload in full when it is text.</summary>
    public static void WriteFields(TextWriter writer, JobInfo job)
    {
        var fields = new List<(string, string)>
        {
            ("id", JobIds.Format(job.Id)),
            ("name", job.Name),
            ("state", State(job.State)),
            ("priority", Number(job.Priority)),
            ("ttr", Durations.Format(job.Ttr)),
            ("ttl", job.Ttl == TimeSpan.Zero ? "none (run)" : Durations.Format(job.Ttl)),
            ("attempts", Limited(job.Attempts, job.MaxAttempts)),
            ("fails", Limited(job.Fails, job.MaxFails)),
            ("created", Times.Format(job.Created)),
        };
        if (job.Time is { } time)
            fields.Add(("time", Times.Format(time)));
        if (job.RetryAt is { } retryAt)
            fields.Add(("retry-at", Times.Format(retryAt)));
        fields.Add(("payload-size", Number(job.Payload.Length)));
        fields.Add(("payload", DataText.Preview(job.Payload, 1000)));
        TextTable.WriteFields(writer, fields);
    }

    /// <summary>Jobs in a table, a row each; <paramref name="scheduled"/> adds when they become ready (their time, or the end of a wait for a retry).</summary>
    public static void WriteTable(TextWriter writer, IReadOnlyList<JobInfo> jobs, bool scheduled)
    {
        string[] headers = scheduled
            ? ["ID", "TIME", "STATE", ">PRIORITY", ">ATTEMPTS", ">FAILS", "TTR", "TTL", ">SIZE", "PAYLOAD"]
            : ["ID", "STATE", ">PRIORITY", ">ATTEMPTS", ">FAILS", "TTR", "TTL", ">SIZE", "PAYLOAD"];
        var table = new TextTable(headers);
        foreach (JobInfo job in jobs)
        {
            var cells = new List<string> { JobIds.Format(job.Id) };
            if (scheduled)
                cells.Add(job.RetryAt is { } retryAt ? Times.Format(retryAt) : job.Time is { } time ? Times.Format(time) : "");
            cells.AddRange(
            [
                State(job.State), Number(job.Priority), Limited(job.Attempts, job.MaxAttempts),
                Limited(job.Fails, job.MaxFails), Durations.Format(job.Ttr), Durations.Format(job.Ttl),
                Number(job.Payload.Length), DataText.Preview(job.Payload, 30),
            ]);
            table.Add([.. cells]);
        }
        table.WriteTo(writer);
    }

    public static void WriteJson(Utf8JsonWriter json, JobInfo job)
    {
        json.WriteStartObject();
        WriteJsonFields(json, job);
        json.WriteEndObject();
    }

    /// <summary>A job's fields, inside an object of the caller's.</summary>
    public static void WriteJsonFields(Utf8JsonWriter json, JobInfo job)
    {
        json.WriteString("id", job.Id);
        json.WriteString("name", job.Name);
        json.WriteString("state", State(job.State));
        json.WriteNumber("priority", job.Priority);
        json.WriteNumber("ttr", Durations.Millis(job.Ttr));
        json.WriteNumber("ttl", Durations.Millis(job.Ttl));
        json.WriteNumber("attempts", job.Attempts);
        json.WriteNumber("maxAttempts", job.MaxAttempts);
        json.WriteNumber("fails", job.Fails);
        json.WriteNumber("maxFails", job.MaxFails);
        json.WriteString("created", Times.Format(job.Created));
        if (job.Time is { } time)
            json.WriteString("time", Times.Format(time));
        else
            json.WriteNull("time");
        if (job.RetryAt is { } retryAt)
            json.WriteString("retryAt", Times.Format(retryAt));
        else
            json.WriteNull("retryAt");
        JsonData.Write(json, "payload", job.Payload);
    }

    /// <summary>The protocol's name for a state: NEW, COMPLETED, FAILED, PENDING, LEASED.</summary>
    public static string State(JobState state) =>
        Enum.IsDefined(state) ? state.ToString().ToUpperInvariant() : Number((int)state);

    public static string Limited(int count, int max) =>
        max == 0 ? Number(count) : $"{Number(count)}/{Number(max)}";

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
