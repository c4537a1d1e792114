namespace Workq.Host.Configuration;

/// <summary>Settings from the configuration section <c>Workq</c>.</summary>
public sealed class WorkqOptions
{
    public const string Section = "Workq";

    /// <summary>Where to listen, as <c>HOST:PORT</c> (the original server's <c>-listen</c>).</summary>
    public string Listen { get; set; } = "127.0.0.1:9922";
}
