namespace Workq.Cli.Values;

/// <summary>
/// Job ids as the protocol writes them: a UUID in canonical 8-4-4-4-12 form. The finer
/// rules (variant, version) are left to the server, which answers <c>Invalid ID</c>.
/// </summary>
public static class JobIds
{
    public static bool TryParse(string text, out Guid id) =>
        Guid.TryParseExact(text, "D", out id) && id != Guid.Empty && id != Guid.AllBitsSet;

    public static string Format(Guid id) => id.ToString("D");
}
