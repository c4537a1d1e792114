namespace Workq.Bench;

/// <summary>A fresh, empty command-log directory of its own, deleted with everything in it on dispose.</summary>
public sealed class LogDirectory : IDisposable
{
    LogDirectory(string path) => Path = path;

    public string Path { get; }

    /// <summary>Makes one under <paramref name="parent"/>, or under the system's temp directory.</summary>
    public static LogDirectory Create(string? parent, string label)
    {
        var root = parent ?? System.IO.Path.GetTempPath();
        Directory.CreateDirectory(root);
        var path = System.IO.Path.Combine(root, $"workq-bench-{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return new LogDirectory(path);
    }

    /// <summary>Removes everything in it, as a wiped disk would leave it.</summary>
    public void Empty()
    {
        Directory.Delete(Path, recursive: true);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The bytes of every file in it (segments, snapshots, the lock file).</summary>
    public long SizeBytes() =>
        new DirectoryInfo(Path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    public IReadOnlyList<string> Files() =>
        [.. new DirectoryInfo(Path).EnumerateFiles("*", SearchOption.AllDirectories).Select(f => $"{f.Name} {f.Length}")];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
