using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Workq.Host.Configuration;

namespace Workq.Host.Security;

/// <summary>
/// The tokens clients authenticate with, from the token file (<c>-auth-tokens</c>), for the
/// job port (<c>auth</c>) and the HTTP port (a bearer header) alike. Read at start (a bad
/// file stops the start) and again on every change; a file that cannot be read or has a
/// bad line then leaves the tokens as they were.
/// </summary>
internal sealed class AuthTokens
{
    /// <summary>How long a wrong token waits for its answer, on either port: guessing is slow, and takes the guesser's time only.</summary>
    public static readonly TimeSpan WrongTokenDelay = TimeSpan.FromSeconds(1);

    private readonly ILogger<AuthTokens> logger;
    private readonly Lock reloading = new();
    private Entry[] entries = [];
    private byte[] contentHash = [];

    public AuthTokens(Configuration.ServerOptions options, ILogger<AuthTokens> logger)
    {
        this.logger = logger;
        Path = options.AuthTokens;
        if (Path is null)
            return;
        try
        {
            Read(out Entry[] read, out contentHash);
            entries = read;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new InvalidSettingException($"cannot use -auth-tokens {Path}: {e.Message}");
        }
        WarnIfReadable();
    }

    /// <summary>The token file; null when the server checks no tokens.</summary>
    public string? Path { get; }

    public bool Enabled => Path is not null;

    /// <summary>The tokens in use.</summary>
    public int Count => Volatile.Read(ref entries).Length;

    /// <summary>
    /// The name of <paramref name="token"/>, or null when the server has no such token.
    /// Compares in constant time: both sides are hashed to the same length first, and every
    /// token is compared, so the time taken tells nothing of how near a guess came, how long
    /// a token is, or which one matched.
    /// </summary>
    public string? NameOf(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(token), hash);
        string? name = null;
        foreach (Entry entry in Volatile.Read(ref entries))
        {
            bool same = CryptographicOperations.FixedTimeEquals(hash, entry.Hash);
            name = same ? entry.Name : name;
        }
        return name;
    }

    /// <summary>Reads the file again; keeps the tokens in use if it cannot be read or has a bad line.</summary>
    public void Reload()
    {
        if (Path is null)
            return;
        lock (reloading)
        {
            try
            {
                Read(out Entry[] read, out byte[] hash);
                if (hash.AsSpan().SequenceEqual(contentHash))
                    return;
                contentHash = hash;
                Volatile.Write(ref entries, read);
                SecurityLog.TokensReloaded(logger, Path, read.Length);
                WarnIfReadable();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                SecurityLog.TokensNotReloaded(logger, Path, e.Message, Count);
            }
        }
    }

    private void Read(out Entry[] read, out byte[] hash)
    {
        byte[] bytes = File.ReadAllBytes(Path!);
        hash = SHA256.HashData(bytes);
        read = [.. TokenFile.Parse(Encoding.UTF8.GetString(bytes))
            .Select(t => new Entry(t.Name, SHA256.HashData(Encoding.ASCII.GetBytes(t.Token))))];
    }

    private void WarnIfReadable()
    {
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            if ((File.GetUnixFileMode(Path!) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                SecurityLog.TokensReadable(logger, Path!);
        }
        catch (IOException)
        {
        }
    }

    private sealed record Entry(string Name, byte[] Hash);
}
