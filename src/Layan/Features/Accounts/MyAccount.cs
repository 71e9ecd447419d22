using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Localization;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>
/// LOG-9 "My Account": name and language; password change with the current password, which
/// rotates the security stamp, ends every other session (LOG-10) and tells the owner by email.
/// </summary>
internal sealed class MyAccount(
    LayanDbContext db,
    UserManager<User> users,
    Mailer mailer,
    SecurityActivity activity,
    IStringLocalizer<AccountsResource> strings,
    IOptions<PublicUrlOptions> publicUrl,
    SignInManager<User> signIn,
    Lockout lockout,
    IHttpContextAccessor http)
{
    public async Task<Result<User>> UpdateProfileAsync(Guid userId, string? fullName, string? language, CancellationToken cancellationToken)
    {
        var errors = new List<Failure>();
        var name = fullName?.Trim() ?? "";
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            errors.Add(new Failure(AccountErrors.FullNameRequired, "fullName"));
        }
        else if (name.Length > 200)
        {
            errors.Add(new Failure(AccountErrors.FullNameTooLong, "fullName"));
        }
        if (!SupportedLanguages.IsSupported(language))
        {
            errors.Add(new Failure(AccountErrors.LanguageInvalid, "language"));
        }
        if (errors.Count > 0)
        {
            return Result<User>.Failed(errors);
        }
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
        user.FullName = name;
        user.Language = language!;
        await users.UpdateAsync(user);
        if (http.HttpContext is { } context)
        {
            LocalizationModule.WriteCultureCookie(context, user.Language);
        }
        return user;
    }

    /// <summary>Changes the password; every session but <paramref name="currentSession"/> ends.</summary>
    public async Task<Result<bool>> ChangePasswordAsync(
        Guid userId, Guid? currentSession, string? currentPassword, string? newPassword, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
        if (!await lockout.CheckPasswordAsync(user, currentPassword, cancellationToken))
        {
            return new Failure(AccountErrors.CredentialsInvalid, "currentPassword");
        }
        var verdict = PasswordPolicy.Shipped.Evaluate(newPassword, user.Email, user.FullName);
        if (!verdict.Acceptable)
        {
            return Result<bool>.Failed([.. verdict.Problems.Select(p => new Failure(p, "newPassword"))]);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await users.ChangePasswordAsync(user, currentPassword!, newPassword!); // rotates the security stamp
        if (!changed.Succeeded)
        {
            throw new InvalidOperationException("The password could not be changed: " + string.Join(", ", changed.Errors.Select(e => e.Code)));
        }
        await db.Set<UserSession>().Where(s => s.UserId == user.Id && s.Id != currentSession).ExecuteDeleteAsync(cancellationToken);
        activity.Record(user.Id, SecurityEvent.PasswordChanged);
        mailer.Queue(new EmailTemplate(strings, "PasswordChanged"), user.Email!, user.Language, new Dictionary<string, string>
        {
            ["name"] = user.FullName,
            [Mailer.ActionUrl] = publicUrl.Value.Link("/forgot-password"),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // This session carries the old security stamp: re-issue it so it is not ended with the others.
        await signIn.RefreshSignInAsync(user);
        return true;
    }
}
