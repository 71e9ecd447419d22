using System.Globalization;
using System.Security.Cryptography;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>
/// LOG-4: "Forgot password" answers the same whether or not the address has an account; the
/// emailed link works once, for 30 minutes (a newer link replaces it); resetting ends every
/// session of the account, lifts a lockout, and tells the owner by email.
/// </summary>
internal sealed class PasswordReset(
    LayanDbContext db,
    UserManager<User> users,
    Mailer mailer,
    IStringLocalizer<AccountsResource> strings,
    IOptions<AccountOptions> options,
    IOptions<PublicUrlOptions> publicUrl,
    SecurityActivity activity,
    TimeProvider clock)
{
    // Identity's own token table: one live reset link per user, kept as a hash with its expiry.
    private const string Provider = "Layan";
    private const string TokenName = "PasswordReset";

    public async Task RequestAsync(string? email, CancellationToken cancellationToken)
    {
        var user = EmailAddresses.IsValid(email?.Trim()) ? await users.FindByEmailAsync(email!.Trim()) : null;
        if (user is not { EmailConfirmed: true })
        {
            return; // Same answer; nothing to send.
        }
        activity.Record(user.Id, SecurityEvent.PasswordResetRequested);
        var link = NewLink(user, out var stored);
        mailer.Queue(new EmailTemplate(strings, "ResetPassword"), user.Email!, user.Language, new Dictionary<string, string>
        {
            ["name"] = user.FullName,
            ["minutes"] = ((int)options.Value.ResetLinkLifetime.TotalMinutes).ToString(CultureInfo.InvariantCulture),
            [Mailer.ActionUrl] = link,
        });
        // Saves the token and the queued email together.
        await users.SetAuthenticationTokenAsync(user, Provider, TokenName, stored(options.Value.ResetLinkLifetime));
    }

    /// <summary>
    /// A set-password link for a new operator account (it works like a reset link, once, for
    /// <paramref name="lifetime"/>); saves the token and whatever else the context holds.
    /// </summary>
    public async Task<string> IssueSetPasswordLinkAsync(User user, TimeSpan lifetime)
    {
        var link = NewLink(user, out var stored);
        await users.SetAuthenticationTokenAsync(user, Provider, TokenName, stored(lifetime));
        return link;
    }

    // A new token: its link, and (for a lifetime) what is kept of it, a hash and the expiry.
    private string NewLink(User user, out Func<TimeSpan, string> stored)
    {
        var token = Secrets.NewToken();
        var now = clock.GetUtcNow();
        stored = lifetime => $"{Secrets.Hash(token)}|{(now + lifetime).UtcTicks}";
        return publicUrl.Value.Link($"/reset-password?email={Uri.EscapeDataString(user.Email!)}&token={token}");
    }

    public async Task<Result<bool>> ResetAsync(string? email, string? token, string? newPassword, CancellationToken cancellationToken)
    {
        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        var stored = user is null ? null : await users.GetAuthenticationTokenAsync(user, Provider, TokenName);
        if (user is null || stored is null || token is null || !Matches(stored, token, clock.GetUtcNow()))
        {
            return new Failure(AccountErrors.ResetLinkInvalid, "token");
        }
        var verdict = PasswordPolicy.Shipped.Evaluate(newPassword, user.Email, user.FullName);
        if (!verdict.Acceptable)
        {
            return Result<bool>.Failed([.. verdict.Problems.Select(p => new Failure(p, "newPassword"))]);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await users.RemoveAuthenticationTokenAsync(user, Provider, TokenName);
        await users.RemovePasswordAsync(user);
        var added = await users.AddPasswordAsync(user, newPassword!); // rotates the security stamp
        if (!added.Succeeded)
        {
            throw new InvalidOperationException("The new password could not be set: " + string.Join(", ", added.Errors.Select(e => e.Code)));
        }
        user.LockoutEnd = null;
        user.AccessFailedCount = 0;
        activity.Record(user.Id, SecurityEvent.PasswordChanged);
        await db.Set<UserSession>().Where(s => s.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        mailer.Queue(new EmailTemplate(strings, "PasswordChanged"), user.Email!, user.Language, new Dictionary<string, string>
        {
            ["name"] = user.FullName,
            [Mailer.ActionUrl] = publicUrl.Value.Link("/forgot-password"),
        });
        await users.UpdateAsync(user);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static bool Matches(string stored, string token, DateTimeOffset now)
    {
        var parts = stored.Split('|');
        return parts.Length == 2 &&
            long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) &&
            now.UtcTicks < ticks &&
            CryptographicOperations.FixedTimeEquals(Convert.FromHexString(parts[0]), Convert.FromHexString(Secrets.Hash(token)));
    }
}
