using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Layan.Infrastructure.Storage;

/// <summary>
/// Where uploaded files live (avatars, documents, attachments), outside the web root and served
/// only through endpoints that check who asks. Keys are relative paths like <c>avatars/abc.png</c>.
/// Local disk is the default; several nodes need a shared folder (or another implementation).
/// </summary>
internal interface IFileStore
{
    Task SaveAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>The file, or null when there is none.</summary>
    Stream? OpenRead(string key);

    bool Exists(string key);

    void Delete(string key);
}

/// <summary>Files under <c>&lt;DataDirectory&gt;/files/</c>.</summary>
internal sealed partial class LocalFileStore(IOptions<StorageOptions> storage) : IFileStore
{
    public async Task SaveAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".part";
        await using (var file = File.Create(temporary))
        {
            await content.CopyToAsync(file, cancellationToken);
        }
        File.Move(temporary, path, overwrite: true); // readers never see half a file
    }

    public Stream? OpenRead(string key)
    {
        var path = PathOf(key);
        return File.Exists(path) ? File.OpenRead(path) : null;
    }

    public bool Exists(string key) => File.Exists(PathOf(key));

    public void Delete(string key) => File.Delete(PathOf(key));

    private string PathOf(string key) =>
        SafeKey().IsMatch(key)
            ? Path.Combine(storage.Value.PathFor("files"), key)
            : throw new ArgumentException($"'{key}' is not a file key.", nameof(key));

    // Folder and file names of letters, digits, dash and dot; no "..", no absolute paths.
    [GeneratedRegex(@"^[a-z0-9-]+(/[A-Za-z0-9-]+(\.[a-z0-9]{1,5})?)+$", RegexOptions.None, 1000)]
    private static partial Regex SafeKey();
}

internal static class FileStoreModule
{
    public static WebApplicationBuilder AddFileStore(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IFileStore, LocalFileStore>();
        return builder;
    }
}
