using System.CommandLine;
using System.Text;

namespace Workq.Cli.Input;

/// <summary>
/// Where a payload (or a <c>complete</c>/<c>fail</c> result) comes from: the argument
/// itself, <c>--file PATH</c>, or standard input (<c>--stdin</c>, or <c>-</c> for the
/// argument). At most one of them; with none the data is empty. Files and standard input
/// are taken byte for byte, the argument as UTF-8.
/// </summary>
internal sealed class DataSource
{
    /// <summary>The protocol's limit on a payload or result.</summary>
    public const int MaxSize = 1024 * 1024;

    private readonly string what;
    private readonly Argument<string?> text;
    private readonly Option<string?> file;
    private readonly Option<bool> stdin;

    /// <param name="what">What the data is, for help and errors: <c>payload</c> or <c>result</c>.</param>
    public DataSource(string what)
    {
        this.what = what;
        text = new Argument<string?>(what.ToUpperInvariant())
        {
            Description = $"The {what} as text; - reads it from standard input. Empty when no source is given.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        file = new Option<string?>("--file") { Description = $"Read the {what} from a file, as it is.", HelpName = "PATH" };
        stdin = new Option<bool>("--stdin") { Description = $"Read the {what} from standard input, as it is." };
    }

    public void AddTo(Command command)
    {
        command.Arguments.Add(text);
        command.Options.Add(file);
        command.Options.Add(stdin);
    }

    public async Task<ReadOnlyMemory<byte>> ReadAsync(ParseResult parsed, CliContext context, CancellationToken cancellationToken)
    {
        string? argument = parsed.GetValue(text);
        string? path = parsed.GetValue(file);
        bool fromStdin = parsed.GetValue(stdin) || argument == "-";
        int sources = (argument is null || argument == "-" ? 0 : 1) + (path is null ? 0 : 1) + (fromStdin ? 1 : 0);
        if (sources > 1)
            throw new UsageException($"give the {what} one way only: as an argument, with --file, or from standard input");

        if (path is not null)
        {
            try
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, useAsync: true);
                return await ReadAllAsync(stream, $"the file {path}", cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read the {what} file: {e.Message.TrimEnd('.')}");
            }
        }
        if (fromStdin)
            return await ReadAllAsync(context.Stdin, "standard input", cancellationToken);
        byte[] bytes = Encoding.UTF8.GetBytes(argument ?? "");
        return bytes.Length <= MaxSize ? bytes : throw TooLarge("the argument");
    }

    /// <summary>Reads to the end, but no further than one byte past the limit.</summary>
    private async Task<ReadOnlyMemory<byte>> ReadAllAsync(Stream stream, string source, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > MaxSize)
                    throw TooLarge(source);
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxSize + 1));
            }
            int n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (n == 0)
                return buffer.AsMemory(0, length);
            length += n;
        }
    }

    private UsageException TooLarge(string source) =>
        new($"the {what} from {source} is larger than Workq's limit of {MaxSize} bytes");
}
