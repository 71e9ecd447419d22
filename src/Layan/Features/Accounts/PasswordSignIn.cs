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
    IHttpContextAccessor http,
    SecurityActivity activity,
    TwoFactor twoFactor,
    Lockout lockout,
    Infrastructure.Db.LayanDbContext db)
{
    public async Task<Result<SignInOutcome>> SignInAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        if (!await lockout.CheckPasswordAsync(user, password, cancellationToken))
        {
            return new Failure(AccountErrors.CredentialsInvalid);
        }
        if (!user!.EmailConfirmed)
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
        await lockout.ResetAsync(user, cancellationToken);
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
        if (lockout.IsLocked(user))
        {
            return new Failure(AccountErrors.CredentialsInvalid, "code");
        }
        if (!await twoFactor.CheckAsync(user, method, code))
        {
            twoFactor.NotifyFailedSecondFactor(user);
            await lockout.CountFailureAsync(user, SecurityEvent.SecondFactorFailed, cancellationToken); // saves the email too
            return new Failure(lockout.IsLocked(user) ? AccountErrors.CredentialsInvalid : AccountErrors.TwoFactorCodeInvalid, "code");
        }
        var spent = await users.UpdateAsync(user); // spends the time step or the code
        if (!spent.Succeeded)
        {
            return new Failure(AccountErrors.TwoFactorCodeInvalid, "code"); // spent at the same instant by another request
        }
        await lockout.ResetAsync(user, cancellationToken);
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
