using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// The dashboard's style, script and icon, embedded in the server (no CDN, no files to deploy,
/// so it works on a site without internet), served at <c>/assets/{name}</c> with an ETag.
/// Pages link them with the server's version in the address, so a new version is fetched
/// at once and an old one may be cached.
/// </summary>
internal static class DashboardAssets
{
    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly Dictionary<string, Asset> Assets = new(StringComparer.Ordinal)
    {
        ["dashboard.css"] = Load("dashboard.css", "text/css; charset=utf-8"),
        ["dashboard.js"] = Load("dashboard.js", "text/javascript; charset=utf-8"),
        ["favicon.svg"] = Load("favicon.svg", "image/svg+xml"),
    };

    private static Asset Load(string name, string contentType)
    {
        using Stream stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("dashboard/" + name)
            ?? throw new InvalidOperationException($"The dashboard's {name} is not embedded in the server.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        byte[] bytes = memory.ToArray();
        return new Asset(bytes, contentType, "\"" + Convert.ToHexString(SHA256.HashData(bytes), 0, 8) + "\"");
    }

    public static async Task ServeAsync(HttpContext context)
    {
        string name = (string)context.Request.RouteValues["name"]!;
        if (!Assets.TryGetValue(name, out Asset? asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        context.Response.Headers.ETag = asset.ETag;
        context.Response.Headers.CacheControl = "public, max-age=86400";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Bytes.Length;
        await context.Response.Body.WriteAsync(asset.Bytes, context.RequestAborted);
    }
}
