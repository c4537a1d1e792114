using System.CommandLine;
using System.Text.Json;

namespace Workq.Cli.Output;

/// <summary>
/// How <c>lease</c>, <c>result</c> and <c>run</c> print the data they get: by default the
/// bytes themselves on standard output, with a line about the job on standard error;
/// <c>--base64</c> for data a terminal should not see raw; <c>--json</c> for everything
/// in one record.
/// </summary>
internal sealed class DataFormat
{
    private readonly Option<bool> json = new("--json") { Description = "Print the job and its data as one JSON object." };
    private readonly Option<bool> base64 = new("--base64") { Description = "Print the data base64-encoded, with a line end." };

    public void AddTo(Command command)
    {
        command.Options.Add(json);
        command.Options.Add(base64);
    }

    /// <summary>Checks the choice before anything is sent.</summary>
    public void Check(ParseResult parsed)
    {
        if (parsed.GetValue(json) && parsed.GetValue(base64))
            throw new UsageException("--json and --base64 do not go together (JSON holds the data in base64 already)");
    }

    public async Task WriteAsync(
        ParseResult parsed, CliContext context, ReadOnlyMemory<byte> data, string description,
        Action<Utf8JsonWriter> writeJson, CancellationToken cancellationToken)
    {
        if (parsed.GetValue(json))
        {
            await context.Stdout.WriteJsonAsync(writeJson, cancellationToken);
            return;
        }
        await context.Stderr.WriteLineAsync(description);
        if (parsed.GetValue(base64))
            await context.Stdout.Text.WriteLineAsync(Convert.ToBase64String(data.Span));
        else
            await context.Stdout.WriteRawAsync(data, cancellationToken);
    }
}
