using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Workq.Host.Logging;

/// <summary>
/// One plain line per log entry: the message alone for information, prefixed with its
/// level otherwise, so that starting the server prints just where it listens.
/// </summary>
internal sealed class PlainConsoleFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "workq";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.LogLevel != LogLevel.Information)
            textWriter.Write($"{logEntry.LogLevel.ToString().ToLowerInvariant()}: ");
        textWriter.WriteLine(message);
        if (logEntry.Exception is not null)
            textWriter.WriteLine(logEntry.Exception.ToString());
    }
}
