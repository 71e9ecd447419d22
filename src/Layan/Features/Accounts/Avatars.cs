using Layan.Infrastructure;
using Layan.Infrastructure.Storage;

namespace Layan.Features.Accounts;

/// <summary>LOG-9: a profile picture, PNG or JPEG (checked by its bytes, not its name), at most 2 MB.</summary>
internal sealed class Avatars(IFileStore files)
{
    public const long MaxBytes = 2 * 1024 * 1024;

    public async Task<Result<string>> SaveAsync(Guid userId, IFormFile? upload, CancellationToken cancellationToken)
    {
        if (upload is null || upload.Length == 0)
        {
            return new Failure(AccountErrors.AvatarMissing, "avatar");
        }
        if (upload.Length > MaxBytes)
        {
            return new Failure(AccountErrors.AvatarTooLarge, "avatar");
        }
        await using var content = await FileType.ReadAsync(upload, cancellationToken);
        var extension = FileType.Detect(content.GetBuffer().AsSpan(0, (int)content.Length), FileType.Png, FileType.Jpeg)?.Extension;
        if (extension is null)
        {
            return new Failure(AccountErrors.AvatarTypeInvalid, "avatar");
        }
        await files.SaveAsync(Key(userId, extension), content, cancellationToken);
        files.Delete(Key(userId, extension == "png" ? "jpg" : "png"));
        return extension;
    }

    /// <summary>The stored picture and its media type, or null.</summary>
    public (Stream Content, string ContentType)? Open(Guid userId)
    {
        if (files.OpenRead(Key(userId, "png")) is { } png)
        {
            return (png, "image/png");
        }
        return files.OpenRead(Key(userId, "jpg")) is { } jpg ? (jpg, "image/jpeg") : null;
    }

    public bool Exists(Guid userId) => files.Exists(Key(userId, "png")) || files.Exists(Key(userId, "jpg"));

    public void Delete(Guid userId)
    {
        files.Delete(Key(userId, "png"));
        files.Delete(Key(userId, "jpg"));
    }

    private static string Key(Guid userId, string extension) => $"avatars/{userId:N}.{extension}";
}
