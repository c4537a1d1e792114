using System.Globalization;
using System.Text.Json;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Output;

/// <summary>Recurring definitions as <c>recur list</c> prints them.</summary>
internal static class RecurringView
{
    public static void WriteTable(TextWriter writer, IReadOnlyList<RecurringInfo> definitions)
    {
        var table = new TextTable("KEY", "NAME", "CRON", "NEXT", "OVERLAP", "TTR", "TTL", ">PRIORITY", "LAST JOB", "PAYLOAD");
        foreach (RecurringInfo d in definitions)
        {
            table.Add(
                d.Key, d.Name, d.Cron, d.Next is { } next ? Times.Format(next) : "never", Overlap(d.Overlap),
                Durations.Format(d.Ttr), Durations.Format(d.Ttl), d.Priority.ToString(CultureInfo.InvariantCulture),
                d.LastJob is { } last ? JobIds.Format(last) : "-", DataText.Preview(d.Payload, 30));
        }
        table.WriteTo(writer);
    }

    public static void WriteJson(Utf8JsonWriter json, RecurringInfo d)
    {
        json.WriteStartObject();
        json.WriteString("key", d.Key);
        json.WriteString("name", d.Name);
        json.WriteString("cron", d.Cron);
        json.WriteNumber("ttr", Durations.Millis(d.Ttr));
        json.WriteNumber("ttl", Durations.Millis(d.Ttl));
        json.WriteNumber("priority", d.Priority);
        json.WriteNumber("maxAttempts", d.MaxAttempts);
        json.WriteNumber("maxFails", d.MaxFails);
        json.WriteNumber("backoff", Durations.Millis(d.Backoff));
        json.WriteString("overlap", Overlap(d.Overlap));
        json.WriteString("created", Times.Format(d.Created));
        if (d.Next is { } next)
            json.WriteString("next", Times.Format(next));
        else
            json.WriteNull("next");
        if (d.LastJob is { } last)
            json.WriteString("lastJob", last);
        else
            json.WriteNull("lastJob");
        JsonData.Write(json, "payload", d.Payload);
        json.WriteEndObject();
    }

    private static string Overlap(RecurringOverlap overlap) => overlap == RecurringOverlap.Skip ? "skip" : "allow";
}
