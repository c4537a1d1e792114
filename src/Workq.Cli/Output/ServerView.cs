using System.Text.Json;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Output;

/// <summary>The server as <c>inspect server</c> prints it: every key it reports, in its order.</summary>
internal static class ServerView
{
    public static void WriteFields(TextWriter writer, ServerInfo server) =>
        TextTable.WriteFields(writer, server.Keys.Select(k => (k.Key, k.Value)));

    /// <summary>The known counters typed, then every key as the server sent it, under <c>keys</c>.</summary>
    public static void WriteJson(Utf8JsonWriter json, ServerInfo server)
    {
        json.WriteStartObject();
        json.WriteNumber("activeClients", server.ActiveClients);
        json.WriteNumber("evictedJobs", server.EvictedJobs);
        json.WriteString("started", Times.Format(server.Started));
        WriteOptional(json, "jobs", server.Jobs);
        WriteOptional(json, "queues", server.Queues);
        WriteOptional(json, "failedJobs", server.FailedJobs);
        if (server.Role is { } role)
            json.WriteString("role", role);
        if (server.Role is not null)
        {
            if (server.Leader is { } leader)
                json.WriteString("leader", leader);
            else
                json.WriteNull("leader");
        }
        if (server.Term is { } term)
            json.WriteNumber("term", term);
        if (server.CommitIndex is { } commitIndex)
            json.WriteNumber("commitIndex", commitIndex);
        json.WriteStartObject("keys");
        foreach (var (key, value) in server.Keys)
            json.WriteString(key, value);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } n)
            json.WriteNumber(name, n);
        else
            json.WriteNull(name);
    }
}
