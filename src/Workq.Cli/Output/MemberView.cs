using System.Text.Json;
using Workq.Client;

namespace Workq.Cli.Output;

/// <summary>A cluster's members as <c>cluster status</c> prints them.</summary>
internal static class MemberView
{
    public static void WriteTable(TextWriter writer, IReadOnlyList<ClusterMember> members)
    {
        var table = new TextTable("ADDRESS", "CLIENT", "ROLE", "STATUS");
        foreach (ClusterMember m in members)
            table.Add(m.Address, m.Client ?? "-", m.Role, m.Status);
        table.WriteTo(writer);
    }

    public static void WriteJson(Utf8JsonWriter json, IReadOnlyList<ClusterMember> members)
    {
        json.WriteStartArray();
        foreach (ClusterMember m in members)
        {
            json.WriteStartObject();
            json.WriteString("address", m.Address);
            if (m.Client is null)
                json.WriteNull("client");
            else
                json.WriteString("client", m.Client);
            json.WriteString("role", m.Role);
            json.WriteString("status", m.Status);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
