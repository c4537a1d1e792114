using Workq.Domain;

namespace Workq.Host.Security;

/// <summary>A named token of the token file.</summary>
internal readonly record struct NamedToken(string Name, string Token);

/// <summary>
/// Reads the token file (<c>-auth-tokens</c>): one <c>name:token</c> a line, the token
/// being everything after the first colon; blank lines and lines starting with <c>#</c>
/// are skipped, spaces around a line ignored. A name may have several tokens (one being
/// replaced by the next), but a token belongs to one name.
/// </summary>
internal static class TokenFile
{
    private const int MaxNameLength = 128;

    /// <summary>The file's tokens; throws <see cref="FormatException"/> naming the first bad line.</summary>
    public static IReadOnlyList<NamedToken> Parse(string text)
    {
        var tokens = new List<NamedToken>();
        var owners = new Dictionary<string, (string Name, int Line)>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            int colon = line.IndexOf(':');
            if (colon < 0)
                throw new FormatException($"line {number}: expected name:token");
            string name = line[..colon].Trim();
            string token = line[(colon + 1)..].Trim();
            if (name.Length is 0 or > MaxNameLength || !name.All(c => c is >= '!' and <= '~'))
                throw new FormatException($"line {number}: a name is 1 to {MaxNameLength} visible ASCII characters");
            if (TokenModule.tryCreate(token) is null)
                throw new FormatException(
                    $"line {number}: the token of {name} is not one auth can send: 1 to {TokenModule.maxLength} visible "
                    + "ASCII characters, not beginning with -");
            if (owners.TryGetValue(token, out var owner) && owner.Name != name)
                throw new FormatException($"line {number}: the token of {name} is {owner.Name}'s too (line {owner.Line})");
            owners[token] = (name, number);
            tokens.Add(new NamedToken(name, token));
        }
        if (tokens.Count == 0)
            throw new FormatException("it holds no token (one name:token a line)");
        return tokens;
    }
}
