using System.CommandLine;
using Workq.Cli.Output;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary>
/// <c>workq cluster status|add|remove</c>: the members of the cluster the server belongs
/// to, as its leader sees them, and changes to them (the protocol's <c>cluster</c>).
/// Sent to any member: a follower passes it on to the leader.
/// </summary>
internal static class ClusterCommand
{
    public static Command Create(CliContext context) =>
        new("cluster", "Shows a cluster's members, and adds or removes one (any member passes the request to the leader).")
        {
            Status(context),
            Change(context, "add", "Adds a member, once it has caught up; start it first, with this -cluster-listen.",
                (client, address, ct) => client.AddClusterMemberAsync(address, ct)),
            Change(context, "remove", "Removes a member; stop it afterwards. Removing the leader ends its leadership.",
                (client, address, ct) => client.RemoveClusterMemberAsync(address, ct)),
        };

    private static Command Status(CliContext context)
    {
        var json = InspectCommand.JsonOption();
        var command = new ToolCommand("status", "Shows each member: its Raft address, its client address, its role and whether the leader reaches it.")
        {
            Examples = "workq cluster status --server 127.0.0.1:9912,127.0.0.1:9922,127.0.0.1:9932",
        };
        command.Options.Add(json);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using WorkqClient client = context.Connect(parsed);
            IReadOnlyList<ClusterMember> members = await client.ClusterStatusAsync(cancellationToken);
            if (parsed.GetValue(json))
                await context.Stdout.WriteJsonAsync(w => MemberView.WriteJson(w, members), cancellationToken);
            else
                MemberView.WriteTable(context.Stdout.Text, members);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Change(CliContext context, string name, string description, Func<WorkqClient, string, CancellationToken, Task> change)
    {
        var address = new Argument<string>("address") { Description = "The member's Raft address (its -cluster-listen), HOST:PORT." };
        var command = new ToolCommand(name, description)
        {
            Examples = $"workq cluster {name} 127.0.0.1:7004 --server 127.0.0.1:9912",
        };
        command.Arguments.Add(address);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using WorkqClient client = context.Connect(parsed);
            await change(client, parsed.GetValue(address)!, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
