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

    /// <summary>The variable that holds the token when <c>--auth-token</c> does not give one.</summary>
    public const string AuthTokenVariable = "WORKQ_AUTH_TOKEN";

    private readonly IReadOnlyDictionary<string, string> environment;

    public CliContext(Stream stdin, StandardOutput stdout, TextWriter stderr, IReadOnlyDictionary<string, string> environment)
    {
        Stdin = stdin;
        Stdout = stdout;
        Stderr = stderr;
        this.environment = environment;
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
        AuthToken = Setting("--auth-token", "TOKEN", AuthTokenVariable,
            "The token to authenticate with (auth), for a server started with -auth-tokens; better in "
            + $"${AuthTokenVariable} than on a command line others can list.");
        Tls = new Option<bool>("--tls")
        {
            Description = "Connect with TLS, trusting the system's authorities (also WORKQ_TLS=1); any other --tls-* option implies it.",
            Recursive = true,
            DefaultValueFactory = _ => environment.TryGetValue("WORKQ_TLS", out string? on) && on is "1" or "true",
        };
        TlsServerName = Setting("--tls-server-name", "NAME", "WORKQ_TLS_SERVER_NAME",
            "The name the server's certificate must be for, if not the host of --server.");
        TlsCa = Setting("--tls-ca", "FILE", "WORKQ_TLS_CA",
            "A PEM file of the authorities to trust for the server's certificate instead of the system's.");
        TlsCert = Setting("--tls-cert", "FILE", "WORKQ_TLS_CERT",
            "A client certificate to show (PEM, its key in it or in --tls-key; or PKCS#12), for a server started with -tls-client-ca.");
        TlsKey = Setting("--tls-key", "FILE", "WORKQ_TLS_KEY", "The PEM private key of --tls-cert, unless its file holds it.");
    }

    /// <summary>The options <c>workq</c> takes before or after any subcommand, in the order of its help.</summary>
    public IEnumerable<Option> Global => [Server, AuthToken, Tls, TlsServerName, TlsCa, TlsCert, TlsKey];

    public Stream Stdin { get; }

    public StandardOutput Stdout { get; }

    public TextWriter Stderr { get; }

    /// <summary><c>--server</c>, on the root command and so on every subcommand.</summary>
    public Option<string> Server { get; }

    public Option<string?> AuthToken { get; }

    public Option<bool> Tls { get; }

    public Option<string?> TlsServerName { get; }

    public Option<string?> TlsCa { get; }

    public Option<string?> TlsCert { get; }

    public Option<string?> TlsKey { get; }

    /// <summary>
    /// A client of the chosen server, for one request: it keeps no idle connection, since
    /// the process ends right after.
    /// </summary>
    /// <exception cref="UsageException">The address is not <c>HOST:PORT</c>.</exception>
    public WorkqClient Connect(ParseResult parsed)
    {
        string server = parsed.GetValue(Server) ?? WorkqClientOptions.DefaultServer;
        var options = new WorkqClientOptions
        {
            Server = server,
            MaxPooledConnections = 0,
            AuthToken = parsed.GetValue(AuthToken),
            UseTls = parsed.GetValue(Tls),
            TlsServerName = parsed.GetValue(TlsServerName),
            TlsCaFile = parsed.GetValue(TlsCa),
            TlsClientCertificateFile = parsed.GetValue(TlsCert),
            TlsClientKeyFile = parsed.GetValue(TlsKey),
        };
        try
        {
            return new WorkqClient(options);
        }
        catch (ArgumentException e) when (e.ParamName == "options")
        {
            // The token or the TLS settings.
            throw new UsageException(Failures.Sentence(e.Message.Replace(" (Parameter 'options')", "", StringComparison.Ordinal)));
        }
        catch (ArgumentException)
        {
            throw new UsageException($"'{server}' is not a server address: expected HOST:PORT, e.g. 127.0.0.1:9922, or several separated by commas");
        }
    }

    /// <summary>An option of every subcommand that falls back to a variable of the environment.</summary>
    private Option<string?> Setting(string name, string value, string variable, string description) =>
        new(name)
        {
            Description = $"{description} (also ${variable})",
            HelpName = value,
            Recursive = true,
            DefaultValueFactory = _ => environment.TryGetValue(variable, out string? set) && !string.IsNullOrWhiteSpace(set) ? set : null,
        };
}
