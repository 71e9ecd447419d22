namespace Layan.Infrastructure.Storage;

/// <summary>Where Layan keeps its files: the SQLite database, pickup mail, SMS sink, uploads.</summary>
internal sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Relative paths are taken from the content root. Default <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The absolute data directory, resolved once at start-up.</summary>
    public string RootPath { get; set; } = "";

    public string PathFor(string child) => Path.Combine(RootPath, child);
}

internal static class StorageModule
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .Bind(builder.Configuration.GetSection(StorageOptions.Section))
            .PostConfigure(o =>
            {
                o.RootPath = Path.GetFullPath(o.DataDirectory, builder.Environment.ContentRootPath);
                Directory.CreateDirectory(o.RootPath);
            });
        return builder;
    }
}
