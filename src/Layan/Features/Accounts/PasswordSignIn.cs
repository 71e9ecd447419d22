using System.Security.Claims;
using Layan.Infrastructure;
using Layan.Infrastructure.Localization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>The password was right: either signed in, or a second factor is wanted first.</summary>
internal sealed record SignInOutcome(bool TwoFactorRequired, IReadOnlyList<string>? Methods = null);

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
    IServiceScopeFactory scopes,
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
            return new SignInOutcome(TwoFactorRequired: true, await twoFactor.MethodsAsync(user));
        }
        await lockout.ResetAsync(user, cancellationToken);
        await StartSessionAsync(user, alertIfNewDevice: true, cancellationToken);
        return new SignInOutcome(TwoFactorRequired: false);
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

    // The cookie handler keeps the session key the request came with and renews that session, so a
    // key planted in the browser would end up signed in as whoever signs in next (session
    // fixation). The old session ends instead, and a handler of its own, which then finds no
    // session, stores a new one under a new key. The old one is ended through the request's own
    // handler (its sign-out deletes the row): a handler that only lost its row would still slide
    // the old cookie over the new one when the response starts (once half the idle time had
    // passed), signing the person out on their next request.
    private async Task SignInWithNewSessionAsync(User user)
    {
        var context = http.HttpContext!;
        if (SessionTicketStore.CurrentSession(context) is not null)
        {
            await context.SignOutAsync(IdentityConstants.ApplicationScheme);
        }
        await using var scope = scopes.CreateAsyncScope();
        var handlers = scope.ServiceProvider.GetRequiredService<IAuthenticationHandlerProvider>();
        var handler = await handlers.GetHandlerAsync(context, IdentityConstants.ApplicationScheme) as IAuthenticationSignInHandler
            ?? throw new InvalidOperationException("The application cookie cannot sign in.");
        var principal = await signIn.CreateUserPrincipalAsync(user);
        await handler.SignInAsync(principal, new AuthenticationProperties { IsPersistent = false });
    }

    /// <summary>Sends a sign-in code by email or SMS to the person halfway through signing in.</summary>
    public async Task<Result<bool>> SendCodeAsync(string? method, CancellationToken cancellationToken) =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is { } user
            ? await twoFactor.SendCodeAsync(user, method, cancellationToken)
            : new Failure(AccountErrors.TwoFactorExpired, "code");

    /// <summary>The second-step methods of the person halfway through signing in (none when that has expired).</summary>
    public async Task<IReadOnlyList<string>> PendingMethodsAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is { } user ? await twoFactor.MethodsAsync(user) : [];

    /// <summary>
    /// Signs <paramref name="user"/> in (a new server-side session), records it, recognizes the
    /// browser (alerting the owner of a new one when asked), and switches the UI to their language.
    /// </summary>
    public async Task StartSessionAsync(User user, bool alertIfNewDevice, CancellationToken cancellationToken)
    {
        activity.Record(user.Id, SecurityEvent.SignedIn);
        await activity.RecognizeDeviceAsync(user, alertIfNewDevice, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await SignInWithNewSessionAsync(user);
        if (http.HttpContext is { } context)
        {
            LocalizationModule.WriteCultureCookie(context, user.Language);
        }
    }
}
