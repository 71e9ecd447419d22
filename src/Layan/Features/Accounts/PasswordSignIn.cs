using System.Security.Claims;
using Layan.Infrastructure;
using Layan.Infrastructure.Localization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>The password was right: either signed in, or a second factor is wanted first.</summary>
internal sealed record SignInOutcome(User User, bool TwoFactorRequired);

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
    TwoFactor twoFactor,
    Infrastructure.Db.LayanDbContext db,
    TimeProvider clock)
{
    // A real hash of a random password, checked when there is no user, so that path costs the same.
    private static readonly Lazy<string> DecoyHash = new(() => new PasswordHasher<User>(
        Options.Create(new PasswordHasherOptions { IterationCount = 210_000 })).HashPassword(null!, Guid.NewGuid().ToString()));

    public async Task<Result<SignInOutcome>> SignInAsync(string? email, string? password, CancellationToken cancellationToken)
    {
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
        // Re-hashes (and saves) a hash made with fewer iterations than configured.
        if (!await users.CheckPasswordAsync(user, password))
        {
            await CountFailureAsync(user, SecurityEvent.SignInFailed, now);
            return new Failure(AccountErrors.CredentialsInvalid);
        }
        if (!user.EmailConfirmed)
        {
            return new Failure(AccountErrors.EmailNotVerified);
        }
        if (user.TwoFactorEnabled && !await signIn.IsTwoFactorClientRememberedAsync(user))
        {
            // LOG-2: the password was right; the session starts only after the second factor.
            var pending = new ClaimsIdentity(IdentityConstants.TwoFactorUserIdScheme);
            pending.AddClaim(new Claim(ClaimTypes.Name, user.Id.ToString()));
            await http.HttpContext!.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(pending));
            return new SignInOutcome(user, TwoFactorRequired: true);
        }
        user.AccessFailedCount = 0;
        user.LastFailedSignInAt = null;
        await users.UpdateAsync(user);
        await StartSessionAsync(user, alertIfNewDevice: true, cancellationToken);
        return new SignInOutcome(user, TwoFactorRequired: false);
    }

    /// <summary>
    /// LOG-2, LOG-10: the second step. A wrong code counts toward the same lockout as a wrong
    /// password and is reported to the owner by email; "remember this device" skips this step on
    /// this browser for 30 days (until the security stamp changes).
    /// </summary>
    public async Task<Result<User>> SecondFactorAsync(string? method, string? code, bool rememberDevice, CancellationToken cancellationToken)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return new Failure(AccountErrors.TwoFactorExpired, "code");
        }
        var now = clock.GetUtcNow();
        if (user.LockoutEnd > now)
        {
            return new Failure(AccountErrors.CredentialsInvalid, "code");
        }
        if (!await twoFactor.CheckAsync(user, method, code))
        {
            twoFactor.NotifyFailedSecondFactor(user);
            await CountFailureAsync(user, SecurityEvent.SecondFactorFailed, now);
            return new Failure(user.LockoutEnd > now ? AccountErrors.CredentialsInvalid : AccountErrors.TwoFactorCodeInvalid, "code");
        }
        user.AccessFailedCount = 0;
        user.LastFailedSignInAt = null;
        await users.UpdateAsync(user); // also spends the time step
        await http.HttpContext!.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        if (rememberDevice)
        {
            await signIn.RememberTwoFactorClientAsync(user);
        }
        await StartSessionAsync(user, alertIfNewDevice: true, cancellationToken);
        return user;
    }

    /// <summary>Emails a sign-in code to the person halfway through signing in.</summary>
    public async Task<Result<bool>> SendEmailCodeAsync(CancellationToken cancellationToken) =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is { } user
            ? await twoFactor.SendEmailCodeAsync(user, cancellationToken)
            : new Failure(AccountErrors.TwoFactorExpired, "code");

    // 5 failures (password or second factor) within the window lock the account (LOG-3, LOG-10).
    private async Task CountFailureAsync(User user, string kind, DateTimeOffset now)
    {
        var settings = options.Value;
        if (user.LastFailedSignInAt is { } lastFailure && lastFailure <= now - settings.LockoutWindow)
        {
            user.AccessFailedCount = 0;
        }
        user.AccessFailedCount++;
        user.LastFailedSignInAt = now;
        activity.Record(user.Id, kind);
        if (user.AccessFailedCount >= settings.LockoutFailures)
        {
            user.LockoutEnd = now + settings.LockoutDuration;
            user.AccessFailedCount = 0;
            activity.Record(user.Id, SecurityEvent.LockedOut);
        }
        await users.UpdateAsync(user);
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
