using System.IO.Compression;

/// <summary>The compress worker's work: a payload in gzip's format.</summary>
static class Gzip
{
    public static async Task<byte[]> CompressAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        await using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            await gzip.WriteAsync(data, cancellationToken);
        return output.ToArray();
    }
}
