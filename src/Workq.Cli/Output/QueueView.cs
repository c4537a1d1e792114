using System.Globalization;
using System.Text.Json;
using Workq.Client;

namespace Workq.Cli.Output;

/// <summary>Queues as <c>inspect queue</c> and <c>inspect queues</c> print them.</summary>
internal static class QueueView
{
    public static void WriteTable(TextWriter writer, IReadOnlyList<QueueInfo> queues)
    {
        var table = new TextTable("NAME", ">READY", ">SCHEDULED", ">LEASED", ">WORKERS", ">FAILED");
        foreach (QueueInfo queue in queues)
        {
            table.Add(
                queue.Name, Number(queue.ReadyLength), Number(queue.ScheduledLength), Number(queue.LeasedLength),
                queue.Workers is { } workers ? Number(workers) : "-",
                queue.FailedLength is { } failed ? Number(failed) : "-");
        }
        table.WriteTo(writer);
    }

    public static void WriteJson(Utf8JsonWriter json, QueueInfo queue)
    {
        json.WriteStartObject();
        json.WriteString("name", queue.Name);
        json.WriteNumber("ready", queue.ReadyLength);
        json.WriteNumber("scheduled", queue.ScheduledLength);
        json.WriteNumber("leased", queue.LeasedLength);
        if (queue.Workers is { } workers)
            json.WriteNumber("workers", workers);
        else
            json.WriteNull("workers");
        if (queue.FailedLength is { } failed)
            json.WriteNumber("failed", failed);
        else
            json.WriteNull("failed");
        json.WriteEndObject();
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
