namespace Layan.Infrastructure.Storage;

/// <summary>A file type recognized by its first bytes (magic numbers), never by its name.</summary>
internal sealed record FileType(string ContentType, string Extension)
{
    public static readonly FileType Pdf = new("application/pdf", "pdf");
    public static readonly FileType Png = new("image/png", "png");
    public static readonly FileType Jpeg = new("image/jpeg", "jpg");

    private static readonly byte[] PdfSignature = "%PDF-"u8.ToArray();
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] JpegSignature = [0xFF, 0xD8, 0xFF];

    /// <summary>The type of <paramref name="content"/> among <paramref name="allowed"/>, or null.</summary>
    public static FileType? Detect(ReadOnlySpan<byte> content, params ReadOnlySpan<FileType> allowed)
    {
        foreach (var type in allowed)
        {
            var signature = type == Pdf ? PdfSignature : type == Png ? PngSignature : JpegSignature;
            if (content.StartsWith(signature))
            {
                return type;
            }
        }
        return null;
    }

    /// <summary>Reads an upload into memory, positioned at its start (the caller checked its declared length).</summary>
    public static async Task<MemoryStream> ReadAsync(IFormFile upload, CancellationToken cancellationToken)
    {
        var content = new MemoryStream();
        await upload.CopyToAsync(content, cancellationToken);
        content.Position = 0;
        return content;
    }
}
