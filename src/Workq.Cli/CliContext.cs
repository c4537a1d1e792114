using System.CommandLine;
using Workq.Cli.Output;
using Workq.Client;

namespace Workq.Cli;

/// <summary>
/// What one invocation of the tool works with: its standard streams, its environment and
/// the server it talks to. Nothing reads <see cref="Console"/> or the process environment
/// directly, so tests run the tool in process with streams of their own.
/// </summary>
internal sealed class CliContext
{
    /// <summary>The variable that names the server when <c>--server</c> does not.</summary>
    public const string ServerVariable = "WORKQ_SERVER";

    public CliContext(Stream stdin, StandardOutput stdout, TextWriter stderr, IReadOnlyDictionary<string, string> environment)
    {
        Stdin = stdin;
        Stdout = stdout;
        Stderr = stderr;
        string fallback = environment.TryGetValue(ServerVariable, out string? server) && !string.IsNullOrWhiteSpace(server)
            ? server
            : WorkqClientOptions.DefaultServer;
        Server = new Option<string>("--server")
        {
            Description = $"The server's HOST:PORT (a cluster's members: several, separated by commas); when not given, ${ServerVariable}, or else {WorkqClientOptions.DefaultServer}.",
            HelpName = "HOST:PORT",
            Recursive = true, // before or after the subcommand
            DefaultValueFactory = _ => fallback,
        };
    }

    public Stream Stdin { get; }

    public StandardOutput Stdout { get; }

    public TextWriter Stderr { get; }

    /// <summary><c>--server</c>, on the root command and so on every subcommand.</summary>
    public Option<string> Server { get; }

    /// <summary>
    /// A client of the chosen server, for one request: it keeps no idle connection, since
    /// the process ends right after.
    /// </summary>
    /// <exception cref="UsageException">The address is not <c>HOST:PORT</c>.</exception>
    public WorkqClient Connect(ParseResult parsed)
    {
        string server = parsed.GetValue(Server) ?? WorkqClientOptions.DefaultServer;
        try
        {
            return new WorkqClient(new WorkqClientOptions { Server = server, MaxPooledConnections = 0 });
        }
        catch (ArgumentException)
        {
            throw new UsageException($"'{server}' is not a server address: expected HOST:PORT, e.g. 127.0.0.1:9922, or several separated by commas");
        }
    }
}
