namespace Workq.Host.Configuration;

/// <summary>
/// One of the server's flags: its name on the command line, its key in configuration, its
/// help, and how its value is read into <see cref="ServerOptions"/>. The whole list is
/// <see cref="ServerFlags.All"/>.
/// </summary>
internal abstract class ServerFlag(string name, string help, string? variable)
{
    /// <summary>The name without dashes, as in <c>cmdlog-seg-size</c>.</summary>
    public string Name { get; } = name;

    public string Help { get; } = help;

    /// <summary>
    /// The configuration key: the name in Pascal case under <c>Workq</c>
    /// (<c>cmdlog-seg-size</c> is <c>Workq:CmdlogSegSize</c>; in the environment
    /// <c>Workq__CmdlogSegSize</c>).
    /// </summary>
    public string Key { get; } = "Workq:" + string.Concat(name.Split('-').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));

    /// <summary>An environment variable of its own that sets it too, below <c>Workq__Name</c> (as <c>WORKQ_LISTEN</c>).</summary>
    public string? Variable { get; } = variable;

    /// <summary>What the usage shows after the name; null for a switch.</summary>
    public abstract string? Placeholder { get; }

    public bool IsSwitch => Placeholder is null;

    /// <summary>The default as the usage shows it (taken from the option classes); null: nothing to show.</summary>
    public abstract string? Default { get; }

    /// <summary>Reads <paramref name="text"/> into <paramref name="options"/>; returns what is wrong with it, or null.</summary>
    public abstract string? Read(string text, ServerOptions options);

    /// <summary>What is wrong with <paramref name="text"/> as this flag's value, or null.</summary>
    public string? Check(string text) => Read(text, new ServerOptions());
}

/// <summary>A flag whose values are of the kind <typeparamref name="T"/>.</summary>
internal sealed class ServerFlag<T>(
    string name, FlagValue<T> value, string help, Func<ServerOptions, T> get, Action<ServerOptions, T> set, string? variable = null)
    : ServerFlag(name, help, variable)
{
    public override string? Placeholder => value.Placeholder;

    public override string? Default => value.Show(get(new ServerOptions()));

    public override string? Read(string text, ServerOptions options)
    {
        Parsed<T> parsed = value.Parse(text);
        if (parsed.Problem is null)
            set(options, parsed.Value);
        return parsed.Problem;
    }
}
