namespace Workq.Cli;

/// <summary>
/// What <c>workq</c> exits with. Scripts branch on these, so they are part of the tool's
/// interface: a timeout and a missing job are told apart from real errors.
/// </summary>
public static class ExitCodes
{
    /// <summary>The request succeeded.</summary>
    public const int Ok = 0;

    /// <summary>The server answered <c>-SERVER-ERROR</c> (or an unknown error code), or something else went wrong.</summary>
    public const int Error = 1;

    /// <summary>The command line (or the payload it names) cannot make a request; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>A wait ran out: <c>lease</c> got no job, <c>run</c> or <c>result</c> no result.</summary>
    public const int Timeout = 3;

    /// <summary>No such job (or queue, for <c>inspect queue</c>, <c>inspect jobs</c>).</summary>
    public const int NotFound = 4;

    /// <summary>The server refused the request with <c>-CLIENT-ERROR</c>, e.g. <c>Duplicate job</c> or <c>Invalid TTR</c>.</summary>
    public const int Refused = 5;

    /// <summary>The server could not be reached, or the connection broke before a reply.</summary>
    public const int Connection = 6;

    /// <summary><c>run</c> or <c>result</c> got the job's result, and the job had failed.</summary>
    public const int JobFailed = 7;

    /// <summary>Interrupted (Ctrl-C), as shells report a SIGINT.</summary>
    public const int Cancelled = 130;

    /// <summary>The list for <c>--help</c>.</summary>
    public const string Help = """
        Exit codes:
          0  ok
          1  server error (-SERVER-ERROR), or another failure
          2  usage error: the command line or its payload cannot make a request
          3  timeout: no job to lease, or no result within --wait
          4  not found: no such job (or queue, leased job, recurring definition)
          5  refused by the server (-CLIENT-ERROR), e.g. Duplicate job, Invalid TTR
          6  connection failure: the server could not be reached, or the connection broke
          7  the job's result is a failure (run, result)
        """;

    /// <summary>The same in one line, for a subcommand's <c>--help</c>.</summary>
    public const string Summary =
        "Exit codes: 0 ok, 1 server error, 2 usage error, 3 timeout, 4 not found, 5 refused, 6 connection failure, 7 job failed.";
}
