using System.Security.Cryptography;
using System.Text.Json;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Sms;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using QRCoder;

namespace Layan.Features.Accounts;

/// <summary>What an authenticator app needs: the key, the otpauth URI, and that URI as a QR code (PNG data URI).</summary>
internal sealed record AuthenticatorSetup(string SharedKey, string AuthenticatorUri, string QrCodeDataUri);

/// <summary>
/// LOG-2 and LOG-10 for the authenticator app: set-up with a QR code, enabling and disabling with
/// a fresh password, 10 single-use recovery codes of 80 bits kept only as hashes, and checking a
/// second factor (a used time step is refused; a recovery code works once). Turning two factors on
/// or off rotates the security stamp and ends every other session.
/// </summary>
internal sealed class TwoFactor(
    LayanDbContext db,
    UserManager<User> users,
    SignInManager<User> signIn,
    SecurityActivity activity,
    Mailer mailer,
    Texter texter,
    IStringLocalizer<AccountsResource> strings,
    IOptions<PublicUrlOptions> publicUrl,
    IOptions<AccountOptions> options,
    IDataProtectionProvider protection,
    Lockout lockout,
    IUserStore<User> store,
    TimeProvider clock)
{
    private readonly IUserAuthenticatorKeyStore<User> _keys = (IUserAuthenticatorKeyStore<User>)store;

    private readonly IDataProtector _codes = protection.CreateProtector("Layan.Accounts.SecondFactorCode");

    public const int RecoveryCodeCount = 10;
    public const string Authenticator = "authenticator";
    public const string EmailCode = "email";
    public const string SmsCode = "sms";
    public const string Recovery = "recovery";
    public const string Passkey = "passkey";

    /// <summary>The methods <paramref name="user"/> can use at the second step: SMS only with a verified phone.</summary>
    public static IReadOnlyList<string> MethodsFor(User user) =>
        user.PhoneNumberConfirmed && user.PhoneNumber is not null ? [Authenticator, EmailCode, SmsCode, Recovery] : [Authenticator, EmailCode, Recovery];

    /// <summary>The second-step methods with a passkey, when the user has one (answered through the passkey endpoints).</summary>
    public async Task<IReadOnlyList<string>> MethodsAsync(User user) =>
        (await users.GetPasskeysAsync(user)).Count > 0 ? [.. MethodsFor(user), Passkey] : MethodsFor(user);

    /// <summary>The code channel of a sent-code method (<see cref="EmailCode"/> or <see cref="SmsCode"/>).</summary>
    public static string CodeChannel(string method) => "2fa-" + method;

    private const string Provider = "Layan";
    private const string RecoveryCodesName = "RecoveryCodes";
    private const string Base32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task<AuthenticatorSetup> SetupAsync(User user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // Through the key store: UserManager.ResetAuthenticatorKeyAsync would also rotate the
            // security stamp and so end this very session at the next stamp check.
            key = users.GenerateNewAuthenticatorKey();
            await _keys.SetAuthenticatorKeyAsync(user, key, CancellationToken.None);
            await users.UpdateAsync(user);
        }
        var uri = $"otpauth://totp/{Uri.EscapeDataString("Layan:" + user.Email)}?secret={key}&issuer=Layan&digits=6";
        using var qr = new QRCodeGenerator().CreateQrCode(uri, QRCodeGenerator.ECCLevel.Q);
        var png = new PngByteQRCode(qr).GetGraphic(5);
        return new AuthenticatorSetup(Group(key!), uri, "data:image/png;base64," + Convert.ToBase64String(png));
    }

    public async Task<Result<IReadOnlyList<string>>> EnableAsync(User user, Guid? currentSession, string? password, string? code, CancellationToken cancellationToken)
    {
        if (!await lockout.CheckPasswordAsync(user, password, cancellationToken))
        {
            return new Failure(AccountErrors.CredentialsInvalid, "password");
        }
        if (!await CheckAuthenticatorAsync(user, code))
        {
            return new Failure(AccountErrors.TwoFactorCodeInvalid, "code");
        }
        IReadOnlyList<string> codes = [];
        await ApplySecurityChangeAsync(user, currentSession, SecurityEvent.TwoFactorEnabled, async () =>
        {
            user.TwoFactorEnabled = true;
            codes = await NewRecoveryCodesAsync(user);
        }, cancellationToken);
        return Result<IReadOnlyList<string>>.From(codes);
    }

    public async Task<Result<bool>> DisableAsync(User user, Guid? currentSession, string? password, CancellationToken cancellationToken)
    {
        if (!await lockout.CheckPasswordAsync(user, password, cancellationToken))
        {
            return new Failure(AccountErrors.CredentialsInvalid, "password");
        }
        await ApplySecurityChangeAsync(user, currentSession, SecurityEvent.TwoFactorDisabled, async () =>
        {
            user.TwoFactorEnabled = false;
            user.LastTotpStep = null;
            await users.RemoveAuthenticationTokenAsync(user, Provider, RecoveryCodesName);
            await users.ResetAuthenticatorKeyAsync(user); // a new set-up gets a new key
        }, cancellationToken);
        return true;
    }

    public async Task<Result<IReadOnlyList<string>>> RegenerateRecoveryCodesAsync(User user, string? password, CancellationToken cancellationToken)
    {
        if (!await lockout.CheckPasswordAsync(user, password, cancellationToken))
        {
            return new Failure(AccountErrors.CredentialsInvalid, "password");
        }
        if (!user.TwoFactorEnabled)
        {
            return new Failure(AccountErrors.TwoFactorCodeInvalid, "code");
        }
        var codes = await NewRecoveryCodesAsync(user);
        await activity.RecordNowAsync(user.Id, SecurityEvent.RecoveryCodesRegenerated, cancellationToken);
        return Result<IReadOnlyList<string>>.From(codes);
    }

    public async Task<int> RecoveryCodesLeftAsync(User user) => (await StoredRecoveryHashesAsync(user)).Count;

    /// <summary>Checks a second factor; on success the used step or code is spent (saved with the user).</summary>
    public async Task<bool> CheckAsync(User user, string? method, string? code) => method switch
    {
        Authenticator => await CheckAuthenticatorAsync(user, code),
        EmailCode => await CheckSentCodeAsync(user, CodeChannel(EmailCode), code),
        SmsCode when MethodsFor(user).Contains(SmsCode) => await CheckSentCodeAsync(user, CodeChannel(SmsCode), code),
        Recovery => await RedeemRecoveryCodeAsync(user, code),
        _ => false,
    };

    /// <summary>
    /// LOG-2, LOG-10: a 6-digit code by email or (to a verified phone) SMS for the second step;
    /// one live code per channel, 10 minutes, single-use, at most one a minute.
    /// </summary>
    public async Task<Result<bool>> SendCodeAsync(User user, string? method, CancellationToken cancellationToken)
    {
        if (method is not (EmailCode or SmsCode) || !MethodsFor(user).Contains(method))
        {
            return new Failure(AccountErrors.TwoFactorMethodInvalid, "method");
        }
        var now = clock.GetUtcNow();
        var channel = CodeChannel(method);
        var latest = await db.LatestCodeAsync(user.Id, channel, cancellationToken);
        if (latest is not null && latest.CreatedAt + options.Value.ResendCooldown > now)
        {
            return new Failure(AccountErrors.ResendTooSoon, "code", latest.CreatedAt + options.Value.ResendCooldown - now);
        }
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var address = method == EmailCode ? user.Email! : user.PhoneNumber!;
        await db.IssueCodeAsync(_codes, user, channel, address, code, now, options.Value.SecondFactorCodeLifetime, cancellationToken);
        var values = new Dictionary<string, string>
        {
            ["name"] = user.FullName,
            ["code"] = code,
            ["minutes"] = ((int)options.Value.SecondFactorCodeLifetime.TotalMinutes).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (method == EmailCode)
        {
            mailer.Queue(new EmailTemplate(strings, "SignInCode"), address, user.Language, values);
        }
        else
        {
            texter.Queue(new SmsTemplate(strings, "SignInCode"), address, user.Language, values);
        }
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private async Task<bool> CheckSentCodeAsync(User user, string channel, string? code)
    {
        var latest = await db.LatestCodeAsync(user.Id, channel, CancellationToken.None);
        // Spent or counted here, saved with the user by the caller.
        return latest.Spend(_codes, code, options.Value.CodeMaxFailedAttempts, clock.GetUtcNow(), length: 6) == CodeCheck.Valid;
    }

    /// <summary>LOG-10: a failed second factor is reported to the owner (caller saves).</summary>
    public void NotifyFailedSecondFactor(User user) =>
        mailer.Queue(new EmailTemplate(strings, "SecondFactorFailed"), user.Email!, user.Language, new Dictionary<string, string>
        {
            ["name"] = user.FullName,
            [Mailer.ActionUrl] = publicUrl.Value.Link("/forgot-password"),
        });

    private async Task<bool> CheckAuthenticatorAsync(User user, string? code)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }
        var step = Totp.Match(Totp.FromBase32(key), code, clock.GetUtcNow(), user.LastTotpStep);
        if (step is null)
        {
            return false;
        }
        user.LastTotpStep = step;
        return true;
    }

    private async Task<bool> RedeemRecoveryCodeAsync(User user, string? code)
    {
        var hashes = await StoredRecoveryHashesAsync(user);
        var hash = RecoveryHash(code ?? "");
        if (!hashes.Remove(hash))
        {
            return false;
        }
        await users.SetAuthenticationTokenAsync(user, Provider, RecoveryCodesName, JsonSerializer.Serialize(hashes));
        return true;
    }

    private async Task<List<string>> StoredRecoveryHashesAsync(User user) =>
        await users.GetAuthenticationTokenAsync(user, Provider, RecoveryCodesName) is { } json
            ? JsonSerializer.Deserialize<List<string>>(json) ?? []
            : [];

    // 16 characters of a 32-letter alphabet: 80 bits each, shown as XXXX-XXXX-XXXX-XXXX, kept as SHA-256.
    private async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(User user)
    {
        var codes = Enumerable.Range(0, RecoveryCodeCount)
            .Select(_ => string.Join('-', RandomNumberGenerator.GetString(Base32, 16).Chunk(4).Select(c => new string(c))))
            .ToList();
        await users.SetAuthenticationTokenAsync(user, Provider, RecoveryCodesName, JsonSerializer.Serialize(codes.Select(RecoveryHash)));
        return codes;
    }

    private static string RecoveryHash(string code) =>
        Secrets.Hash(code.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant());

    /// <summary>
    /// LOG-10 for any change of how the account signs in: one transaction with the change, a new
    /// security stamp, the event, and every other session ended; this session is re-issued with
    /// the new stamp after the commit.
    /// </summary>
    public async Task ApplySecurityChangeAsync(User user, Guid? currentSession, string kind, Func<Task> change, CancellationToken cancellationToken)
    {
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await change();
            activity.Record(user.Id, kind);
            await users.UpdateSecurityStampAsync(user);
            await db.Set<UserSession>().Where(s => s.UserId == user.Id && s.Id != currentSession).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await signIn.RefreshSignInAsync(user);
    }

    private static string Group(string key) => string.Join(' ', key.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
}
