using System.Text.RegularExpressions;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Sms;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>
/// What Layan accepts as a mobile number: E.164 (a plus and 8 to 15 digits); spaces, dots,
/// dashes and brackets that people type are dropped first.
/// </summary>
internal static partial class PhoneNumbers
{
    /// <summary>The E.164 form of <paramref name="phone"/>, or null when it is not a number Layan can text.</summary>
    public static string? Normalize(string? phone)
    {
        var compact = Separators().Replace(phone ?? "", "");
        return E164().IsMatch(compact) ? compact : null;
    }

    [GeneratedRegex(@"[\s().-]", RegexOptions.None, 1000)]
    private static partial Regex Separators();

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$", RegexOptions.None, 1000)]
    private static partial Regex E164();
}

/// <summary>
/// Phone verification by SMS (ACC-4, ACC-7, LOG-9): a person who gives a mobile number at
/// registration, or changes it in My Account, gets an 8-character code by SMS with the same rules
/// as the email code (30 minutes, 5 wrong tries, one live code, the same code on a resend while it
/// lives, one manual resend a minute and 10 a day). The email verifies the account; a verified
/// phone adds SMS as a second factor and is what regional rules can require (ACC-10).
/// </summary>
internal sealed class PhoneVerification(
    LayanDbContext db,
    UserManager<User> users,
    Texter texter,
    SecurityActivity activity,
    Lockout lockout,
    IDataProtectionProvider protection,
    IStringLocalizer<AccountsResource> strings,
    IOptions<AccountOptions> options,
    TimeProvider clock)
{
    public const string Channel = "sms";

    private readonly IDataProtector _codes = protection.CreateProtector("Layan.Accounts.VerificationCode");

    private AccountOptions Settings => options.Value;

    /// <summary>Texts the first code when the user has an unverified number (caller saves); for a new account, once its email is verified.</summary>
    public async Task StartAsync(User user, CancellationToken cancellationToken)
    {
        if (user.PhoneNumber is not null && !user.PhoneNumberConfirmed)
        {
            var now = clock.GetUtcNow();
            Send(user, await IssueAsync(user, now, cancellationToken), "initial", now);
        }
    }

    /// <summary>
    /// LOG-9, ACC-7: sets a new number (unverified, a code goes to it) or removes it, confirmed
    /// with the password since a verified phone becomes a second factor.
    /// </summary>
    public async Task<Result<User>> ChangeAsync(Guid userId, string? phone, string? password, CancellationToken cancellationToken)
    {
        var wanted = string.IsNullOrWhiteSpace(phone) ? null : PhoneNumbers.Normalize(phone);
        if (!string.IsNullOrWhiteSpace(phone) && wanted is null)
        {
            return new Failure(AccountErrors.PhoneInvalid, "phone");
        }
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
        if (!await lockout.CheckPasswordAsync(user, password, cancellationToken))
        {
            return new Failure(AccountErrors.CredentialsInvalid, "password");
        }
        if (wanted == user.PhoneNumber)
        {
            return user;
        }
        var now = clock.GetUtcNow();
        user.PhoneNumber = wanted;
        user.PhoneNumberConfirmed = false;
        // Codes texted to the old number die with it, the sign-in codes included.
        await db.Set<VerificationCode>()
            .Where(c => c.UserId == user.Id && (c.Channel == Channel || c.Channel == TwoFactor.CodeChannel(TwoFactor.SmsCode)) && c.RevokedAt == null && c.UsedAt == null)
            .ForEachAsync(c => c.RevokedAt = now, cancellationToken);
        if (wanted is not null)
        {
            Send(user, await IssueAsync(user, now, cancellationToken), "initial", now);
        }
        activity.Record(user.Id, SecurityEvent.PhoneChanged);
        await users.UpdateAsync(user); // saves the codes and the event with it
        return user;
    }

    /// <summary>ACC-4: checks the texted code; on success the number is verified.</summary>
    public async Task<Result<User>> VerifyAsync(Guid userId, string? code, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
        if (user.PhoneNumber is null || user.PhoneNumberConfirmed)
        {
            return new Failure(AccountErrors.PhoneNotPending, "code");
        }
        var latest = await db.LatestCodeAsync(user.Id, Channel, cancellationToken);
        var check = latest?.Address == user.PhoneNumber
            ? latest.Spend(_codes, code, Settings.CodeMaxFailedAttempts, clock.GetUtcNow())
            : CodeCheck.Invalid;
        if (check != CodeCheck.Valid)
        {
            await db.SaveChangesAsync(cancellationToken); // the wrong try counts
            return check.ToFailure("code");
        }
        user.PhoneNumberConfirmed = true;
        activity.Record(user.Id, SecurityEvent.PhoneVerified);
        var updated = await users.UpdateAsync(user);
        return updated.Succeeded ? user : new Failure(AccountErrors.CodeInvalid, "code"); // verified at the same instant elsewhere
    }

    /// <summary>ACC-5 for the phone: the same code while it lives, within the resend limits.</summary>
    public async Task<Result<bool>> ResendAsync(Guid userId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
        if (user.PhoneNumber is null || user.PhoneNumberConfirmed)
        {
            return new Failure(AccountErrors.PhoneNotPending, "phone");
        }
        var now = clock.GetUtcNow();
        if (await db.ResendLimitAsync(user.PhoneNumber, Settings, "phone", now, cancellationToken) is { } limited)
        {
            return limited;
        }
        var code = await db.LiveCodeAsync(_codes, user.Id, Channel, user.PhoneNumber, Settings.CodeMaxFailedAttempts, now, cancellationToken)
            ?? await IssueAsync(user, now, cancellationToken);
        Send(user, code, "manual", now);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private async Task<string> IssueAsync(User user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var code = VerificationCodeRules.Generate();
        await db.IssueCodeAsync(_codes, user, Channel, user.PhoneNumber!, code, now, Settings.CodeLifetime, cancellationToken);
        return code;
    }

    private void Send(User user, string code, string reason, DateTimeOffset now)
    {
        var message = texter.Queue(new SmsTemplate(strings, "VerifyPhone"), user.PhoneNumber!, user.Language, new Dictionary<string, string>
        {
            ["code"] = code,
            ["minutes"] = ((int)Settings.CodeLifetime.TotalMinutes).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        db.Set<VerificationSend>().Add(new VerificationSend
        {
            UserId = user.Id,
            Address = user.PhoneNumber!,
            Channel = Channel,
            Reason = reason,
            RequestedAt = now,
            OutboxMessageId = message.Id,
        });
    }
}
