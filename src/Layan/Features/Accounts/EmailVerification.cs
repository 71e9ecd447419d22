using System.Text.Json;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Web;
using Layan.Infrastructure.Work;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>
/// Email verification (ACC-4..7, ACC-9, ACC-11): issuing codes, sending and resending them with
/// their limits, the automatic resends, changing a wrong address, and verifying. Other features
/// call <see cref="StartAsync"/> for a new user; everything else is reached through the API and pages.
/// </summary>
internal sealed class EmailVerification(
    LayanDbContext db,
    UserManager<User> users,
    Mailer mailer,
    DueWorkScheduler timers,
    IDataProtectionProvider protection,
    IStringLocalizer<AccountsResource> strings,
    IOptions<AccountOptions> options,
    IOptions<PublicUrlOptions> publicUrl,
    SecurityActivity activity,
    Lockout lockout,
    PhoneVerification phone,
    TimeProvider clock)
{
    public const string Channel = "email";

    private readonly IDataProtector _codes = protection.CreateProtector("Layan.Accounts.VerificationCode");

    private AccountOptions Settings => options.Value;

    /// <summary>Sends the first code to a new user and arms the automatic resends and the purge (caller saves).</summary>
    public async Task StartAsync(User user, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var code = await IssueAsync(user, now, cancellationToken);
        Send(user, code, "initial", now);
        await ArmAutoResendAsync(user, round: 1, now, cancellationToken);
        await timers.ScheduleAsync(PurgeUnverifiedHandler.KindName, new UserRef(user.Id), now + Settings.UnverifiedRetention, PurgeKey(user.Id), cancellationToken);
    }

    /// <summary>ACC-4, ACC-9: checks the code; on success the address is verified and the timers stop (caller signs in).</summary>
    public async Task<Result<User>> VerifyAsync(string? email, string? code, CancellationToken cancellationToken)
    {
        var user = email is null ? null : await users.FindByEmailAsync(email.Trim());
        if (user is null || user.EmailConfirmed)
        {
            return new Failure(AccountErrors.CodeInvalid, "code");
        }
        var now = clock.GetUtcNow();
        var latest = await db.LatestCodeAsync(user.Id, Channel, cancellationToken);
        if (latest is null || latest.Address != user.Email)
        {
            return new Failure(AccountErrors.CodeInvalid, "code");
        }
        var check = latest.Spend(_codes, code, Settings.CodeMaxFailedAttempts, now);
        if (check != CodeCheck.Valid)
        {
            await db.SaveChangesAsync(cancellationToken); // the wrong try counts
            return check.ToFailure("code");
        }
        user.EmailConfirmed = true;
        user.VerifiedAt = now;
        activity.Record(user.Id, SecurityEvent.EmailVerified);
        await timers.CancelAsync(AutoResendKey(user.Id), cancellationToken);
        await timers.CancelAsync(PurgeKey(user.Id), cancellationToken);
        // The number given at registration is texted only now: an anonymous form must not send SMS.
        await phone.StartAsync(user, cancellationToken);
        mailer.Queue(new EmailTemplate(strings, "AccountReady"), user.Email!, user.Language, new Dictionary<string, string>
        {
            ["name"] = user.FullName,
            [Mailer.ActionUrl] = publicUrl.Value.Link("/workspaces/new"),
        });
        var updated = await users.UpdateAsync(user); // saves the code, the timers and the email with it
        if (!updated.Succeeded)
        {
            // Verified at the same instant in another tab: that one won.
            return new Failure(AccountErrors.CodeInvalid, "code");
        }
        return user;
    }

    /// <summary>
    /// ACC-5: "Resend". The same answer whether or not the address has an account; the limits count
    /// requests per address either way. While the code lives the same code is sent again.
    /// </summary>
    public async Task<Result<bool>> ResendAsync(string? email, CancellationToken cancellationToken)
    {
        if (!EmailAddresses.IsValid(email?.Trim()))
        {
            return new Failure(AccountErrors.EmailInvalid, "email");
        }
        var address = EmailAddresses.Normalize(email!);
        var now = clock.GetUtcNow();
        if (await db.ResendLimitAsync(address, Settings, "email", now, cancellationToken) is { } limited)
        {
            return limited;
        }
        var user = await users.FindByEmailAsync(email!.Trim());
        if (user is { EmailConfirmed: false })
        {
            Send(user, await LiveOrNewCodeAsync(user, now, cancellationToken), "manual", now);
        }
        else
        {
            db.Set<VerificationSend>().Add(new VerificationSend { Address = address, Channel = Channel, Reason = "manual", RequestedAt = now });
        }
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// ACC-7: "Wrong address? Change it" on the waiting page, confirmed with the password. The old
    /// code dies and a new one goes to the new address. If the new address belongs to someone
    /// else the answer is the same and nothing changes (no enumeration).
    /// </summary>
    public async Task<Result<bool>> ChangeEmailAsync(string? email, string? newEmail, string? password, CancellationToken cancellationToken)
    {
        var wanted = newEmail?.Trim();
        if (!EmailAddresses.IsValid(wanted))
        {
            return new Failure(AccountErrors.EmailInvalid, "newEmail");
        }
        var found = email is null ? null : await users.FindByEmailAsync(email.Trim());
        var user = found is { EmailConfirmed: false } ? found : null;
        // Counted toward the lockout like any password check; the same work when there is no such registration.
        if (!await lockout.CheckPasswordAsync(user, password, cancellationToken))
        {
            return new Failure(AccountErrors.CredentialsInvalid, "password");
        }
        if (await users.FindByEmailAsync(wanted!) is not null)
        {
            return true;
        }
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        user!.Email = wanted;
        user.UserName = wanted;
        var renamed = await users.UpdateAsync(user); // normalizes the new address
        if (!renamed.Succeeded)
        {
            await transaction.RollbackAsync(cancellationToken);
            return renamed.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName")
                ? true // taken at the same instant: the same answer
                : throw new InvalidOperationException("The address could not be changed: " + string.Join(", ", renamed.Errors.Select(e => e.Code)));
        }
        Send(user, await IssueAsync(user, now, cancellationToken), "initial", now);
        await ArmAutoResendAsync(user, round: 1, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>ACC-6: one automatic resend; arms the next until the count is reached.</summary>
    public async Task AutoResendAsync(AutoResend request, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(request.UserId.ToString());
        if (user is null || user.EmailConfirmed || user.Email != request.Address)
        {
            return; // verified, changed address, or purged: the resends stop
        }
        var now = clock.GetUtcNow();
        Send(user, await LiveOrNewCodeAsync(user, now, cancellationToken), "auto", now);
        if (request.Round < Settings.AutoResendCount)
        {
            await ArmAutoResendAsync(user, request.Round + 1, now, cancellationToken);
        }
    }

    /// <summary>ACC-11: deletes a registration still unverified after the retention period.</summary>
    public async Task PurgeAsync(Guid userId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is { EmailConfirmed: false })
        {
            await users.DeleteAsync(user);
        }
    }

    private async Task<string> IssueAsync(User user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var code = VerificationCodeRules.Generate();
        await db.IssueCodeAsync(_codes, user, Channel, user.Email!, code, now, Settings.CodeLifetime, cancellationToken);
        return code;
    }

    private async Task<string> LiveOrNewCodeAsync(User user, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.LiveCodeAsync(_codes, user.Id, Channel, user.Email!, Settings.CodeMaxFailedAttempts, now, cancellationToken)
            ?? await IssueAsync(user, now, cancellationToken);

    private void Send(User user, string code, string reason, DateTimeOffset now)
    {
        var email = user.Email!;
        var message = mailer.Queue(new EmailTemplate(strings, "VerifyEmail"), email, user.Language, new Dictionary<string, string>
        {
            ["name"] = user.FullName,
            ["code"] = code,
            ["minutes"] = ((int)Settings.CodeLifetime.TotalMinutes).ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Mailer.ActionUrl] = publicUrl.Value.Link($"/verify?email={Uri.EscapeDataString(email)}&code={code}"),
        });
        db.Set<VerificationSend>().Add(new VerificationSend
        {
            UserId = user.Id,
            Address = EmailAddresses.Normalize(email),
            Channel = Channel,
            Reason = reason,
            RequestedAt = now,
            OutboxMessageId = message.Id,
        });
    }

    private Task<DueWork> ArmAutoResendAsync(User user, int round, DateTimeOffset now, CancellationToken cancellationToken) =>
        timers.ScheduleAsync(AutoResendHandler.KindName, new AutoResend(user.Id, user.Email!, round), now + Settings.AutoResendInterval, AutoResendKey(user.Id), cancellationToken);

    private static string AutoResendKey(Guid userId) => $"accounts.verification-resend:{userId:N}";

    private static string PurgeKey(Guid userId) => $"accounts.purge-unverified:{userId:N}";
}

internal sealed record UserRef(Guid UserId);

internal sealed record AutoResend(Guid UserId, string Address, int Round);

internal sealed class AutoResendHandler(EmailVerification verification) : IWorkHandler<DueWork>
{
    public const string KindName = "accounts.verification-resend";

    public string Kind => KindName;

    public Task HandleAsync(DueWork item, CancellationToken cancellationToken) =>
        verification.AutoResendAsync(JsonSerializer.Deserialize<AutoResend>(item.Payload, JsonSerializerOptions.Web)!, cancellationToken);
}

internal sealed class PurgeUnverifiedHandler(EmailVerification verification) : IWorkHandler<DueWork>
{
    public const string KindName = "accounts.purge-unverified";

    public string Kind => KindName;

    public Task HandleAsync(DueWork item, CancellationToken cancellationToken) =>
        verification.PurgeAsync(JsonSerializer.Deserialize<UserRef>(item.Payload, JsonSerializerOptions.Web)!.UserId, cancellationToken);
}
