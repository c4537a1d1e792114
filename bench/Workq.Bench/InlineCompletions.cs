namespace Workq.Bench;

/// <summary>
/// .NET's socket engine normally hands each completion to the thread pool; run inline
/// on its epoll threads instead, our continuations never block and the client spends
/// about a third less CPU per job, leaving more to the server on a small machine. The
/// runtime reads this variable when the first socket is made, so it is set before that
/// and kept away from the servers we start.
/// </summary>
public static class InlineCompletions
{
    const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    static readonly string? Original = Environment.GetEnvironmentVariable(Variable);

    /// <summary>On unless the user chose otherwise by setting the variable.</summary>
    public static void Enable()
    {
        if (Original is null) Environment.SetEnvironmentVariable(Variable, "1");
    }

    /// <summary>Gives a child process the environment the user had.</summary>
    public static void Restore(IDictionary<string, string?> environment)
    {
        if (Original is null) environment.Remove(Variable);
        else environment[Variable] = Original;
    }
}
