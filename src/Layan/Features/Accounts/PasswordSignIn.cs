using Layan.Infrastructure;
using Layan.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>
/// LOG-1, LOG-3, LOG-10: email and password. Unknown address, wrong password and locked account
/// give one answer with the same work (a password hash check) behind it; 5 failures within 15
/// minutes lock the account for 15 minutes; an old hash is re-hashed at the current strength.
/// </summary>
internal sealed class PasswordSignIn(
    UserManager<User> users,
    SignInManager<User> signIn,
    IPasswordHasher<User> hasher,
    IOptions<AccountOptions> options,
    IHttpContextAccessor http,
    SecurityActivity activity,
    Infrastructure.Db.LayanDbContext db,
    TimeProvider clock)
{
    // A real hash of a random password, checked when there is no user, so that path costs the same.
    private static readonly Lazy<string> DecoyHash = new(() => new PasswordHasher<User>(
        Options.Create(new PasswordHasherOptions { IterationCount = 210_000 })).HashPassword(null!, Guid.NewGuid().ToString()));

    public async Task<Result<User>> SignInAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        var now = clock.GetUtcNow();
        if (user is null || password is null)
        {
            hasher.VerifyHashedPassword(null!, DecoyHash.Value, password ?? "");
            return new Failure(AccountErrors.CredentialsInvalid);
        }
        if (user.LockoutEnd > now)
        {
            hasher.VerifyHashedPassword(user, DecoyHash.Value, password);
            activity.Record(user.Id, SecurityEvent.SignInFailed);
            await db.SaveChangesAsync(cancellationToken);
            return new Failure(AccountErrors.CredentialsInvalid);
        }
        if (user.LastFailedSignInAt is { } lastFailure && lastFailure <= now - settings.LockoutWindow)
        {
            user.AccessFailedCount = 0;
        }
        // Re-hashes (and saves) a hash made with fewer iterations than configured.
        if (!await users.CheckPasswordAsync(user, password))
        {
            user.AccessFailedCount++;
            user.LastFailedSignInAt = now;
            activity.Record(user.Id, SecurityEvent.SignInFailed);
            if (user.AccessFailedCount >= settings.LockoutFailures)
            {
                user.LockoutEnd = now + settings.LockoutDuration;
                user.AccessFailedCount = 0;
                activity.Record(user.Id, SecurityEvent.LockedOut);
            }
            await users.UpdateAsync(user);
            return new Failure(AccountErrors.CredentialsInvalid);
        }
        if (!user.EmailConfirmed)
        {
            return new Failure(AccountErrors.EmailNotVerified);
        }
        user.AccessFailedCount = 0;
        user.LastFailedSignInAt = null;
        await users.UpdateAsync(user);
        await StartSessionAsync(user, alertIfNewDevice: true, cancellationToken);
        return user;
    }

    /// <summary>
    /// Signs <paramref name="user"/> in (a new server-side session), records it, recognizes the
    /// browser (alerting the owner of a new one when asked), and switches the UI to their language.
    /// </summary>
    public async Task StartSessionAsync(User user, bool alertIfNewDevice, CancellationToken cancellationToken)
    {
        activity.Record(user.Id, SecurityEvent.SignedIn);
        await activity.RecognizeDeviceAsync(user, alertIfNewDevice, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await signIn.SignInAsync(user, isPersistent: false);
        if (http.HttpContext is { } context)
        {
            LocalizationModule.WriteCultureCookie(context, user.Language);
        }
    }
}
