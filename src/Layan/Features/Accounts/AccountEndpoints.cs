using System.Security.Claims;
using System.Text.Json;
using Layan.Infrastructure;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace Layan.Features.Accounts;

/// <summary><c>/api/v1/auth</c>: the accounts flows as JSON (the pages call the same services).</summary>
internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this WebApplication app)
    {
        var auth = app.MapApiGroup("auth", "Accounts");
        var limited = auth.MapGroup("").RequireRateLimiting(RateLimits.Auth);
        limited.MapPost("/register", RegisterAsync).WithSummary("Register; the answer is the same for a new and an existing address (ACC-2, ACC-8).");
        limited.MapPost("/verify", VerifyAsync).WithSummary("Verify the address with its code and sign in (ACC-4, ACC-9).");
        limited.MapPost("/resend", ResendAsync).WithSummary("Send the code again (ACC-5).");
        limited.MapPost("/change-email", ChangeEmailAsync).WithSummary("Correct the address before it is verified (ACC-7).");
        limited.MapPost("/login", LoginAsync).WithSummary("Sign in with email and password (LOG-1, LOG-3); may ask for a second factor.");
        limited.MapPost("/login/second-factor", SecondFactorAsync).WithSummary("The second step: an authenticator, email or recovery code (LOG-2).");
        limited.MapPost("/login/second-factor/send", SendCodeAsync)
            .WithSummary("Send a 6-digit sign-in code (10 minutes, single-use) by `email` or, to a verified phone, `sms`, for the second step (LOG-2).");
        limited.MapPost("/login/second-factor/email", (PasswordSignIn signIn, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken) =>
            SendCodeAsync(new MethodBody(TwoFactor.EmailCode), signIn, strings, http, cancellationToken))
            .WithSummary("The same as `/login/second-factor/send` with method `email`.");
        limited.MapPost("/passkey/options", PasskeyRequestOptionsAsync)
            .WithSummary("Begin signing in with a passkey: options for navigator.credentials.get() and the ceremony id (LOG-2).");
        limited.MapPost("/passkey", PasskeySignInAsync)
            .WithSummary("Finish signing in with a passkey, alone or as the second step after a password (LOG-2).");
        limited.MapPost("/forgot-password", ForgotPasswordAsync).WithSummary("Email a reset link; the same answer for any address (LOG-4).");
        limited.MapPost("/reset-password", ResetPasswordAsync).WithSummary("Set a new password with the emailed link; ends every session (LOG-4).");
        auth.MapPost("/password-check", CheckPassword).WithSummary("The strength meter: score and the reasons a password is refused (ACC-3).");
        auth.MapPost("/logout", LogoutAsync).RequireAuthorization().WithSummary("End this session.");
        var me = auth.MapGroup("/me").RequireAuthorization();
        me.MapGet("", MeAsync).WithSummary("The signed-in user.");
        me.MapPut("", UpdateMeAsync).WithSummary("Change the signed-in user's name and language (LOG-9).");
        me.MapPost("/password", ChangePasswordAsync).RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Change the password with the current one; every other session ends (LOG-9, LOG-10).");
        // Multipart forms, so antiforgery-checked like every form (the page's form posts here too).
        me.MapPost("/phone", ChangePhoneAsync).RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Set (or, empty, remove) the mobile number with the password; a code goes to it by SMS (LOG-9, ACC-7).");
        me.MapPost("/phone/verify", VerifyPhoneAsync).RequireRateLimiting(RateLimits.Auth).WithSummary("Verify the mobile number with the texted code (ACC-4).");
        me.MapPost("/phone/resend", ResendPhoneCodeAsync).RequireRateLimiting(RateLimits.Auth).WithSummary("Text the code again (ACC-5 limits).");
        me.MapPost("/avatar", UploadAvatarAsync)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(Avatars.MaxBytes + 64 * 1024))
            .WithSummary("Upload a profile picture: PNG or JPEG, at most 2 MB, checked by content (LOG-9).");
        me.MapGet("/avatar", AvatarAsync).WithSummary("The signed-in user's profile picture.");
        me.MapDelete("/avatar", DeleteAvatar).WithSummary("Remove the profile picture.");
        var twoFactor = me.MapGroup("/two-factor");
        twoFactor.MapGet("", TwoFactorStatusAsync).WithSummary("Whether two factors are on, and recovery codes left.");
        twoFactor.MapPost("/authenticator", AuthenticatorSetupAsync).WithSummary("The key, otpauth URI and QR code for an authenticator app (LOG-2).");
        twoFactor.MapPost("/enable", EnableTwoFactorAsync).RequireRateLimiting(RateLimits.Auth).WithSummary("Turn two factors on with the password and a code; returns 10 recovery codes once.");
        twoFactor.MapPost("/disable", DisableTwoFactorAsync).RequireRateLimiting(RateLimits.Auth).WithSummary("Turn two factors off with the password.");
        twoFactor.MapPost("/recovery-codes", RegenerateRecoveryCodesAsync).RequireRateLimiting(RateLimits.Auth).WithSummary("Replace the recovery codes (the password is needed); returns them once.");
        var passkeys = me.MapGroup("/passkeys");
        passkeys.MapGet("", PasskeysAsync).WithSummary("The signed-in user's passkeys (LOG-2).");
        passkeys.MapPost("/options", PasskeyCreationOptionsAsync).RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Begin adding a passkey with the password: options for navigator.credentials.create() and the ceremony id.");
        passkeys.MapPost("", AddPasskeyAsync).RequireRateLimiting(RateLimits.Auth).WithSummary("Finish adding a passkey with the browser's answer.");
        passkeys.MapPost("/{id}/remove", RemovePasskeyAsync).RequireRateLimiting(RateLimits.Auth).WithSummary("Remove a passkey, confirmed with the password.");
        me.MapGet("/activity", ActivityAsync).WithSummary("The signed-in user's account activity, newest first, paged (LOG-8).");
        me.MapGet("/sessions", SessionsAsync).WithSummary("The signed-in user's active sessions (LOG-8).");
        me.MapDelete("/sessions/{id:guid}", EndSessionAsync).WithSummary("End one of the signed-in user's sessions at once (LOG-8).");

        // The pages' sign-out button (a form with an antiforgery token).
        // It binds no field, so the antiforgery verdict is checked here rather than by form binding.
        app.MapPost("/logout", async Task<Results<RedirectHttpResult, BadRequest>> (
            SignInManager<User> signIn, SecurityActivity activity, UserManager<User> users, ClaimsPrincipal principal,
            Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return TypedResults.BadRequest();
            }
            await SignOutAsync(signIn, activity, users, principal, cancellationToken);
            return TypedResults.LocalRedirect("/");
        }).ExcludeFromDescription();
    }

    internal sealed record RegisterBody(string? FullName, string? Email, string? Password, string? Language, string? Phone, bool AcceptTerms);

    internal sealed record EmailCodeBody(string? Email, string? Code);

    internal sealed record EmailBody(string? Email);

    internal sealed record ChangeEmailBody(string? Email, string? NewEmail, string? Password);

    internal sealed record LoginBody(string? Email, string? Password);

    internal sealed record ResetBody(string? Email, string? Token, string? NewPassword);

    internal sealed record PasswordCheckBody(string? Password, string? Email, string? FullName);

    internal sealed record Accepted(string Status, string Email);

    internal sealed record SignedIn(bool TwoFactorRequired, string Redirect, IReadOnlyList<string>? Methods = null);

    internal sealed record SecondFactorBody(string? Method, string? Code, bool RememberDevice);

    internal sealed record PasswordBody(string? Password);

    internal sealed record EnableBody(string? Password, string? Code);

    internal sealed record TwoFactorStatus(bool Enabled, int RecoveryCodesLeft);

    internal sealed record RecoveryCodes(IReadOnlyList<string> Codes);

    internal sealed record Strength(int Score, bool Acceptable, IReadOnlyList<Problem> Problems);

    internal sealed record Problem(string Code, string Message);

    internal sealed record Me(Guid Id, string FullName, string Email, string Language, bool Verified, string? Phone, bool PhoneVerified)
    {
        public static Me Of(User user) => new(user.Id, user.FullName, user.Email!, user.Language, user.EmailConfirmed, user.PhoneNumber, user.PhoneNumberConfirmed);
    }

    internal sealed record PhoneBody(string? Phone, string? Password);

    internal sealed record CodeBody(string? Code);

    internal sealed record MethodBody(string? Method);

    internal sealed record PasskeyBody(Guid? Ceremony, JsonElement Credential, string? Name);

    private static async Task<Results<Accepted<Accepted>, ProblemHttpResult>> RegisterAsync(
        RegisterBody body, Registration registration, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await registration.RegisterAsync(
            new RegisterRequest(body.FullName, body.Email, body.Password, body.Language, body.Phone, body.AcceptTerms), cancellationToken);
        return result.Succeeded
            ? TypedResults.Accepted("/api/v1/auth/verify", new Accepted("verification_sent", result.Value!))
            : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<Ok<SignedIn>, ProblemHttpResult>> VerifyAsync(
        EmailCodeBody body, EmailVerification verification, PasswordSignIn signIn, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await verification.VerifyAsync(body.Email, body.Code, cancellationToken);
        if (!result.Succeeded)
        {
            return ProblemFor(result.Errors, strings, http);
        }
        await signIn.StartSessionAsync(result.Value!, alertIfNewDevice: false, cancellationToken);
        return TypedResults.Ok(new SignedIn(false, "/workspaces/new"));
    }

    private static async Task<Results<Accepted<Accepted>, ProblemHttpResult>> ResendAsync(
        EmailBody body, EmailVerification verification, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await verification.ResendAsync(body.Email, cancellationToken);
        if (result.Succeeded)
        {
            return TypedResults.Accepted("/api/v1/auth/verify", new Accepted("verification_sent", body.Email!.Trim()));
        }
        return ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<Accepted<Accepted>, ProblemHttpResult>> ChangeEmailAsync(
        ChangeEmailBody body, EmailVerification verification, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await verification.ChangeEmailAsync(body.Email, body.NewEmail, body.Password, cancellationToken);
        return result.Succeeded
            ? TypedResults.Accepted("/api/v1/auth/verify", new Accepted("verification_sent", body.NewEmail!.Trim()))
            : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<Ok<SignedIn>, ProblemHttpResult>> LoginAsync(
        LoginBody body, PasswordSignIn signIn, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await signIn.SignInAsync(body.Email, body.Password, cancellationToken);
        if (result.Succeeded)
        {
            return TypedResults.Ok(result.Value!.TwoFactorRequired
                ? new SignedIn(true, "/login/two-factor", result.Value.Methods)
                : new SignedIn(false, "/account"));
        }
        return ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<Ok<SignedIn>, ProblemHttpResult>> SecondFactorAsync(
        SecondFactorBody body, PasswordSignIn signIn, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await signIn.SecondFactorAsync(body.Method, body.Code, body.RememberDevice, cancellationToken);
        return result.Succeeded
            ? TypedResults.Ok(new SignedIn(false, "/account"))
            : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<Microsoft.AspNetCore.Http.HttpResults.Accepted, ProblemHttpResult>> SendCodeAsync(
        MethodBody body, PasswordSignIn signIn, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await signIn.SendCodeAsync(body.Method, cancellationToken);
        return result.Succeeded ? TypedResults.Accepted((string?)null) : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Ok<PasskeyChallenge>> PasskeyRequestOptionsAsync(Passkeys passkeys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await passkeys.RequestOptionsAsync(cancellationToken));

    private static async Task<Results<Ok<SignedIn>, ProblemHttpResult>> PasskeySignInAsync(
        PasskeyBody body, Passkeys passkeys, PasswordSignIn signIn, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await passkeys.SignInAsync(body.Ceremony ?? Guid.Empty, body.Credential, cancellationToken);
        if (!result.Succeeded)
        {
            return ProblemFor(result.Errors, strings, http);
        }
        await signIn.StartSessionAsync(result.Value!, alertIfNewDevice: true, cancellationToken);
        return TypedResults.Ok(new SignedIn(false, "/account"));
    }

    private static async Task<Ok<IReadOnlyList<PasskeyItem>>> PasskeysAsync(ClaimsPrincipal principal, UserManager<User> users, Passkeys passkeys) =>
        TypedResults.Ok(await passkeys.ListAsync((await users.GetUserAsync(principal))!));

    private static async Task<Results<Ok<PasskeyChallenge>, ProblemHttpResult>> PasskeyCreationOptionsAsync(
        PasswordBody body, ClaimsPrincipal principal, UserManager<User> users, Passkeys passkeys, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await passkeys.CreationOptionsAsync((await users.GetUserAsync(principal))!, body.Password, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<Created<PasskeyItem>, ProblemHttpResult>> AddPasskeyAsync(
        PasskeyBody body, ClaimsPrincipal principal, UserManager<User> users, Passkeys passkeys, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await passkeys.AddAsync((await users.GetUserAsync(principal))!, body.Ceremony ?? Guid.Empty, body.Credential, body.Name, cancellationToken);
        return result.Succeeded
            ? TypedResults.Created("/api/v1/auth/me/passkeys", result.Value)
            : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> RemovePasskeyAsync(
        string id, PasswordBody body, ClaimsPrincipal principal, UserManager<User> users, Passkeys passkeys, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await passkeys.RemoveAsync((await users.GetUserAsync(principal))!, id, body.Password, cancellationToken);
        if (!result.Succeeded)
        {
            return ProblemFor(result.Errors, strings, http);
        }
        return result.Value ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<Me>, ProblemHttpResult>> ChangePhoneAsync(
        PhoneBody body, ClaimsPrincipal principal, UserManager<User> users, PhoneVerification phone, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await phone.ChangeAsync(MySecurity.UserId(principal, users)!.Value, body.Phone, body.Password, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(Me.Of(result.Value!)) : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<Ok<Me>, ProblemHttpResult>> VerifyPhoneAsync(
        CodeBody body, ClaimsPrincipal principal, UserManager<User> users, PhoneVerification phone, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await phone.VerifyAsync(MySecurity.UserId(principal, users)!.Value, body.Code, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(Me.Of(result.Value!)) : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<Microsoft.AspNetCore.Http.HttpResults.Accepted, ProblemHttpResult>> ResendPhoneCodeAsync(
        ClaimsPrincipal principal, UserManager<User> users, PhoneVerification phone, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await phone.ResendAsync(MySecurity.UserId(principal, users)!.Value, cancellationToken);
        return result.Succeeded ? TypedResults.Accepted((string?)null) : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Ok<TwoFactorStatus>> TwoFactorStatusAsync(ClaimsPrincipal principal, UserManager<User> users, TwoFactor twoFactor)
    {
        var user = (await users.GetUserAsync(principal))!;
        return TypedResults.Ok(new TwoFactorStatus(user.TwoFactorEnabled, await twoFactor.RecoveryCodesLeftAsync(user)));
    }

    private static async Task<Ok<AuthenticatorSetup>> AuthenticatorSetupAsync(ClaimsPrincipal principal, UserManager<User> users, TwoFactor twoFactor) =>
        TypedResults.Ok(await twoFactor.SetupAsync((await users.GetUserAsync(principal))!));

    private static async Task<Results<Ok<RecoveryCodes>, ProblemHttpResult>> EnableTwoFactorAsync(
        EnableBody body, ClaimsPrincipal principal, UserManager<User> users, TwoFactor twoFactor, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await twoFactor.EnableAsync((await users.GetUserAsync(principal))!, SessionTicketStore.CurrentSession(http), body.Password, body.Code, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(new RecoveryCodes(result.Value!)) : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableTwoFactorAsync(
        PasswordBody body, ClaimsPrincipal principal, UserManager<User> users, TwoFactor twoFactor, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await twoFactor.DisableAsync((await users.GetUserAsync(principal))!, SessionTicketStore.CurrentSession(http), body.Password, cancellationToken);
        return result.Succeeded ? TypedResults.NoContent() : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<Ok<RecoveryCodes>, ProblemHttpResult>> RegenerateRecoveryCodesAsync(
        PasswordBody body, ClaimsPrincipal principal, UserManager<User> users, TwoFactor twoFactor, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await twoFactor.RegenerateRecoveryCodesAsync((await users.GetUserAsync(principal))!, body.Password, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(new RecoveryCodes(result.Value!)) : ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Accepted<Accepted>> ForgotPasswordAsync(EmailBody body, PasswordReset reset, CancellationToken cancellationToken)
    {
        await reset.RequestAsync(body.Email, cancellationToken);
        return TypedResults.Accepted("/api/v1/auth/reset-password", new Accepted("reset_link_sent", body.Email?.Trim() ?? ""));
    }

    private static async Task<Results<Ok<SignedIn>, ProblemHttpResult>> ResetPasswordAsync(
        ResetBody body, PasswordReset reset, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await reset.ResetAsync(body.Email, body.Token, body.NewPassword, cancellationToken);
        return result.Succeeded
            ? TypedResults.Ok(new SignedIn(false, "/login"))
            : ProblemFor(result.Errors, strings, http);
    }

    private static Ok<Strength> CheckPassword(PasswordCheckBody body, IStringLocalizer<AccountsResource> strings)
    {
        var verdict = PasswordPolicy.Shipped.Evaluate(body.Password, body.Email, body.FullName);
        return TypedResults.Ok(new Strength(verdict.Score, verdict.Acceptable, [.. verdict.Problems.Select(p => new Problem(p, strings[$"Error.{p}"]))]));
    }

    private static async Task<NoContent> LogoutAsync(
        SignInManager<User> signIn, SecurityActivity activity, UserManager<User> users, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        await SignOutAsync(signIn, activity, users, principal, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task SignOutAsync(
        SignInManager<User> signIn, SecurityActivity activity, UserManager<User> users, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        if (MySecurity.UserId(principal, users) is { } userId)
        {
            await activity.RecordNowAsync(userId, SecurityEvent.SignedOut, cancellationToken);
        }
        await signIn.SignOutAsync();
    }

    internal sealed record ProfileBody(string? FullName, string? Language);

    internal sealed record PasswordChangeBody(string? CurrentPassword, string? NewPassword);

    private static async Task<Results<Ok<Me>, ProblemHttpResult>> UpdateMeAsync(
        ProfileBody body, ClaimsPrincipal principal, UserManager<User> users, MyAccount account, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await account.UpdateProfileAsync(MySecurity.UserId(principal, users)!.Value, body.FullName, body.Language, cancellationToken);
        if (!result.Succeeded)
        {
            return ProblemFor(result.Errors, strings, http);
        }
        var user = result.Value!;
        return TypedResults.Ok(Me.Of(user));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        PasswordChangeBody body, ClaimsPrincipal principal, UserManager<User> users, MyAccount account, IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await account.ChangePasswordAsync(
            MySecurity.UserId(principal, users)!.Value, SessionTicketStore.CurrentSession(http), body.CurrentPassword, body.NewPassword, cancellationToken);
        if (result.Succeeded)
        {
            return TypedResults.NoContent();
        }
        return ProblemFor(result.Errors, strings, http);
    }

    private static async Task<Results<NoContent, RedirectHttpResult, ProblemHttpResult>> UploadAvatarAsync(
        IFormFile? avatar, [Microsoft.AspNetCore.Mvc.FromForm] string? returnTo, ClaimsPrincipal principal, UserManager<User> users, Avatars avatars,
        IStringLocalizer<AccountsResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await avatars.SaveAsync(MySecurity.UserId(principal, users)!.Value, avatar, cancellationToken);
        if (returnTo == "page")
        {
            // The My Account form: back to the page, with the outcome.
            return TypedResults.LocalRedirect(result.Succeeded ? "/account?avatar=saved" : $"/account?avatarError={result.Errors[0].Code}");
        }
        return result.Succeeded ? TypedResults.NoContent() : ProblemFor(result.Errors, strings, http);
    }

    private static Results<FileStreamHttpResult, NotFound> AvatarAsync(ClaimsPrincipal principal, UserManager<User> users, Avatars avatars, HttpContext http)
    {
        if (avatars.Open(MySecurity.UserId(principal, users)!.Value) is not { } picture)
        {
            return TypedResults.NotFound();
        }
        http.Response.Headers.CacheControl = "private, no-cache";
        return TypedResults.File(picture.Content, picture.ContentType);
    }

    private static NoContent DeleteAvatar(ClaimsPrincipal principal, UserManager<User> users, Avatars avatars)
    {
        avatars.Delete(MySecurity.UserId(principal, users)!.Value);
        return TypedResults.NoContent();
    }

    internal sealed record ActivityPage(IReadOnlyList<ActivityItem> Items, int Total, int Page, int PageSize);

    private static async Task<Ok<ActivityPage>> ActivityAsync(
        ClaimsPrincipal principal, UserManager<User> users, MySecurity security, CancellationToken cancellationToken, int page = 1, int pageSize = 20)
    {
        var (items, total) = await security.ActivityAsync(MySecurity.UserId(principal, users)!.Value, page, pageSize, cancellationToken);
        return TypedResults.Ok(new ActivityPage(items, total, Math.Max(page, 1), Math.Clamp(pageSize, 1, MySecurity.MaxPageSize)));
    }

    private static async Task<Ok<IReadOnlyList<SessionItem>>> SessionsAsync(
        ClaimsPrincipal principal, UserManager<User> users, MySecurity security, HttpContext http, CancellationToken cancellationToken) =>
        TypedResults.Ok(await security.SessionsAsync(SessionTicketStore.CurrentSession(http), MySecurity.UserId(principal, users)!.Value, cancellationToken));

    private static async Task<Results<NoContent, NotFound>> EndSessionAsync(
        Guid id, ClaimsPrincipal principal, UserManager<User> users, MySecurity security, CancellationToken cancellationToken) =>
        await security.EndSessionAsync(MySecurity.UserId(principal, users)!.Value, id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();

    private static async Task<Results<Ok<Me>, UnauthorizedHttpResult>> MeAsync(ClaimsPrincipal principal, UserManager<User> users)
    {
        var user = await users.GetUserAsync(principal);
        return user is null
            ? TypedResults.Unauthorized()
            : TypedResults.Ok(Me.Of(user));
    }

    private static ProblemHttpResult ProblemFor(IReadOnlyList<Failure> errors, IStringLocalizer strings, HttpContext http) =>
        errors.ToProblem(AccountErrors.StatusOf(errors[0]), strings, http);
}
