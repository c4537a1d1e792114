using System.Collections;
using Workq.Cli;

// The process around Cli.RunAsync: the console's streams, the environment, and Ctrl-C,
// which cancels a waiting request instead of killing the process mid-write.
using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};

var environment = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
    environment[(string)variable.Key] = (string?)variable.Value ?? "";

await using Stream stdin = Console.OpenStandardInput();
await using Stream stdout = Console.OpenStandardOutput();
return await Cli.RunAsync(args, stdin, stdout, Console.Error, environment, interrupted.Token);
