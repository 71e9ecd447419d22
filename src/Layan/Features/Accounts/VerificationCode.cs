using System.Security.Cryptography;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Accounts;

internal enum CodeCheck
{
    Valid,
    Invalid,
    Expired,
    AttemptsExceeded,
}

/// <summary>
/// The rules of ACC-4 codes, with no I/O: 8 characters from an alphabet without look-alikes
/// (no 0/O/o, 1/I/l/i), case-sensitive, a fixed lifetime, a number of wrong tries.
/// </summary>
internal static class VerificationCodeRules
{
    public const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";

    public const int Length = 8;

    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, Length);

    /// <summary>
    /// Checks <paramref name="given"/> in constant time. Only someone who typed the right code
    /// learns that it expired or was voided by wrong tries; any other answer is plainly invalid,
    /// the same as for an address with no registration (no enumeration).
    /// </summary>
    public static CodeCheck Check(
        string expected, string? given, DateTimeOffset expiresAt, int failedAttempts, int maxFailedAttempts, DateTimeOffset now, int length = Length)
    {
        var match = given is not null && given.Length == length && expected.Length == length &&
            CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(given));
        if (!match)
        {
            return CodeCheck.Invalid;
        }
        if (failedAttempts >= maxFailedAttempts)
        {
            return CodeCheck.AttemptsExceeded;
        }
        return now >= expiresAt ? CodeCheck.Expired : CodeCheck.Valid;
    }
}

/// <summary>
/// One code sent to one address (ACC-4). The code is kept protected (data protection), not
/// hashed, because a resend while it lives carries the same code (ACC-5). One live code per user
/// and channel: issuing a new one revokes the old.
/// </summary>
internal sealed class VerificationCode
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    /// <summary><c>email</c> or <c>sms</c>.</summary>
    public required string Channel { get; init; }

    public required string Address { get; init; }

    public required string ProtectedCode { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public int FailedAttempts { get; set; }

    public DateTimeOffset? UsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsLive(DateTimeOffset now, int maxFailedAttempts) =>
        UsedAt is null && RevokedAt is null && now < ExpiresAt && FailedAttempts < maxFailedAttempts;
}

internal static class VerificationCodeIssuing
{
    /// <summary>
    /// Revokes the live codes of <paramref name="user"/> on <paramref name="channel"/> and adds
    /// <paramref name="code"/> for <paramref name="address"/>, protected at rest, living
    /// <paramref name="lifetime"/> (caller saves).
    /// </summary>
    public static async Task IssueCodeAsync(
        this LayanDbContext db, IDataProtector protector,
        User user, string channel, string address, string code, DateTimeOffset now, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await db.Set<VerificationCode>()
            .Where(c => c.UserId == user.Id && c.Channel == channel && c.RevokedAt == null && c.UsedAt == null)
            .ForEachAsync(c => c.RevokedAt = now, cancellationToken);
        db.Set<VerificationCode>().Add(new VerificationCode
        {
            UserId = user.Id,
            Channel = channel,
            Address = address,
            ProtectedCode = protector.Protect(code),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });
    }

    /// <summary>The newest unspent, unrevoked code of the user on the channel, or null.</summary>
    public static Task<VerificationCode?> LatestCodeAsync(this LayanDbContext db, Guid userId, string channel, CancellationToken cancellationToken) =>
        db.Set<VerificationCode>()
            .Where(c => c.UserId == userId && c.Channel == channel && c.RevokedAt == null && c.UsedAt == null)
            .OrderByDescending(c => c.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>ACC-5: the code still live for <paramref name="address"/>, in clear, so a resend carries the same one; null if none.</summary>
    public static async Task<string?> LiveCodeAsync(
        this LayanDbContext db, IDataProtector protector, Guid userId, string channel, string address, int maxFailedAttempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var latest = await db.LatestCodeAsync(userId, channel, cancellationToken);
        return latest is not null && latest.Address == address && latest.IsLive(now, maxFailedAttempts)
            ? protector.Unprotect(latest.ProtectedCode)
            : null;
    }

    /// <summary>
    /// Checks <paramref name="given"/> against <paramref name="code"/>: a wrong one counts a try, a
    /// right one is spent (caller saves). A null code (none was sent) is simply invalid.
    /// </summary>
    public static CodeCheck Spend(
        this VerificationCode? code, IDataProtector protector, string? given, int maxFailedAttempts, DateTimeOffset now, int length = VerificationCodeRules.Length)
    {
        if (code is null)
        {
            return CodeCheck.Invalid;
        }
        var check = VerificationCodeRules.Check(protector.Unprotect(code.ProtectedCode), given?.Trim(), code.ExpiresAt, code.FailedAttempts, maxFailedAttempts, now, length);
        if (check == CodeCheck.Invalid)
        {
            code.FailedAttempts++;
        }
        else if (check == CodeCheck.Valid)
        {
            code.UsedAt = now;
        }
        return check;
    }

    /// <summary>The error for a failed <see cref="Spend"/> on <paramref name="field"/>.</summary>
    public static Failure ToFailure(this CodeCheck check, string field) => check switch
    {
        CodeCheck.Expired => new Failure(AccountErrors.CodeExpired, field),
        CodeCheck.AttemptsExceeded => new Failure(AccountErrors.CodeAttemptsExceeded, field),
        _ => new Failure(AccountErrors.CodeInvalid, field),
    };

    /// <summary>
    /// ACC-5's limits on manual resends to one (normalized) address: one per cooldown, so many a
    /// day. Null when a resend may go now.
    /// </summary>
    public static async Task<Failure?> ResendLimitAsync(
        this LayanDbContext db, string address, AccountOptions settings, string field, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var recent = await db.Set<VerificationSend>()
            .Where(s => s.Address == address && s.Reason == "manual" && s.RequestedAt > now - TimeSpan.FromDays(1))
            .Select(s => s.RequestedAt)
            .ToListAsync(cancellationToken);
        if (recent.Count > 0 && recent.Max() + settings.ResendCooldown > now)
        {
            return new Failure(AccountErrors.ResendTooSoon, field, recent.Max() + settings.ResendCooldown - now);
        }
        if (recent.Count >= settings.ResendsPerDay)
        {
            return new Failure(AccountErrors.ResendLimitReached, field, recent.Min() + TimeSpan.FromDays(1) - now);
        }
        return null;
    }
}

internal sealed class VerificationCodeConfiguration : IEntityTypeConfiguration<VerificationCode>
{
    public void Configure(EntityTypeBuilder<VerificationCode> builder)
    {
        builder.ToTable("VerificationCodes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Channel).HasMaxLength(10);
        builder.Property(c => c.Address).HasMaxLength(256);
        builder.Property(c => c.ProtectedCode).HasMaxLength(1000);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.UserId, c.Channel });
    }
}

/// <summary>
/// Every verification send and resend request (ACC-5, ACC-6): when, to which address, why, and
/// the outbox message that carried it (its state is the provider's result). Requests for
/// addresses with no account are recorded too, so limits answer the same either way.
/// </summary>
internal sealed class VerificationSend
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid? UserId { get; init; }

    /// <summary>Normalized (upper-case) address, the unit of the resend limits.</summary>
    public required string Address { get; init; }

    public required string Channel { get; init; }

    /// <summary><c>initial</c>, <c>manual</c> or <c>auto</c>.</summary>
    public required string Reason { get; init; }

    public DateTimeOffset RequestedAt { get; init; }

    public Guid? OutboxMessageId { get; init; }
}

internal sealed class VerificationSendConfiguration : IEntityTypeConfiguration<VerificationSend>
{
    public void Configure(EntityTypeBuilder<VerificationSend> builder)
    {
        builder.ToTable("VerificationSends");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Address).HasMaxLength(256);
        builder.Property(s => s.Channel).HasMaxLength(10);
        builder.Property(s => s.Reason).HasMaxLength(10);
        builder.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.Address, s.RequestedAt });
    }
}
