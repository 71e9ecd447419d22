namespace Layan.Infrastructure.Web;

/// <summary>Return addresses people can be sent back to: paths on this site only (no open redirects).</summary>
internal static class LocalUrl
{
    /// <summary>A path on this site: no scheme, no host, no backslash, no control characters (which browsers strip).</summary>
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) &&
        !url.Contains('\\', StringComparison.Ordinal) && !url.Any(char.IsControl);

    public static string OrDefault(string? url, string fallback) => IsLocal(url) ? url! : fallback;
}
