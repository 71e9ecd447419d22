using System.Security.Cryptography;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>LOG-8: something that happened to an account, with where it came from.</summary>
internal sealed class SecurityEvent
{
    public const string SignedIn = "signed_in";
    public const string SignInFailed = "sign_in_failed";
    public const string LockedOut = "locked_out";
    public const string SignedOut = "signed_out";
    public const string EmailVerified = "email_verified";
    public const string PasswordResetRequested = "password_reset_requested";
    public const string PasswordChanged = "password_changed";
    public const string SessionEnded = "session_ended";
    public const string NewDevice = "new_device";
    public const string TwoFactorEnabled = "two_factor_enabled";
    public const string TwoFactorDisabled = "two_factor_disabled";
    public const string RecoveryCodesRegenerated = "recovery_codes_regenerated";
    public const string SecondFactorFailed = "second_factor_failed";
    public const string PhoneChanged = "phone_changed";
    public const string PhoneVerified = "phone_verified";
    public const string PasskeyAdded = "passkey_added";
    public const string PasskeyRemoved = "passkey_removed";

    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    public required string Kind { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public string? IpAddress { get; init; }

    public string? UserAgent { get; init; }
}

/// <summary>A browser that has signed in before (a long-lived cookie holds its random id; the hash is kept).</summary>
internal sealed class KnownDevice
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    public required string DeviceHash { get; init; }

    public DateTimeOffset FirstSeenAt { get; init; }

    public DateTimeOffset LastSeenAt { get; set; }

    public string? UserAgent { get; set; }
}

internal sealed class SecurityEventConfiguration : IEntityTypeConfiguration<SecurityEvent>
{
    public void Configure(EntityTypeBuilder<SecurityEvent> builder)
    {
        builder.ToTable("SecurityEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(40);
        builder.Property(e => e.IpAddress).HasMaxLength(45);
        builder.Property(e => e.UserAgent).HasMaxLength(512);
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.UserId, e.OccurredAt });
    }
}

internal sealed class KnownDeviceConfiguration : IEntityTypeConfiguration<KnownDevice>
{
    public void Configure(EntityTypeBuilder<KnownDevice> builder)
    {
        builder.ToTable("KnownDevices");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.DeviceHash).HasMaxLength(64);
        builder.Property(d => d.UserAgent).HasMaxLength(512);
        builder.HasOne<User>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.UserId, d.DeviceHash }).IsUnique();
    }
}

/// <summary>
/// Records account events (LOG-8) in the caller's unit of work, and recognizes the browser at
/// sign-in: an unknown one is remembered and, except for the first sign-in after registering,
/// reported to the owner by a localized security alert.
/// </summary>
internal sealed class SecurityActivity(
    LayanDbContext db,
    Mailer mailer,
    IStringLocalizer<AccountsResource> strings,
    IHttpContextAccessor http,
    IOptions<PublicUrlOptions> publicUrl,
    TimeProvider clock)
{
    public const string DeviceCookie = "layan.device";

    public void Record(Guid userId, string kind)
    {
        var context = http.HttpContext;
        db.Set<SecurityEvent>().Add(new SecurityEvent
        {
            UserId = userId,
            Kind = kind,
            OccurredAt = clock.GetUtcNow(),
            IpAddress = context?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = UserAgent(context),
        });
    }

    /// <summary>Records <paramref name="kind"/> and saves it at once (for actions that change nothing else).</summary>
    public async Task RecordNowAsync(Guid userId, string kind, CancellationToken cancellationToken)
    {
        Record(userId, kind);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Remembers this browser for <paramref name="user"/>; alerts the owner when it is new and <paramref name="alertIfNew"/>.</summary>
    public async Task RecognizeDeviceAsync(User user, bool alertIfNew, CancellationToken cancellationToken)
    {
        var context = http.HttpContext;
        if (context is null)
        {
            return;
        }
        var id = context.Request.Cookies[DeviceCookie];
        if (id is not { Length: 43 })
        {
            id = Secrets.NewToken();
            context.Response.Cookies.Append(DeviceCookie, id, new CookieOptions
            {
                HttpOnly = true,
                IsEssential = true,
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                MaxAge = TimeSpan.FromDays(365),
            });
        }
        var hash = Secrets.Hash(id);
        var now = clock.GetUtcNow();
        var device = await db.Set<KnownDevice>().SingleOrDefaultAsync(d => d.UserId == user.Id && d.DeviceHash == hash, cancellationToken);
        if (device is not null)
        {
            device.LastSeenAt = now;
            device.UserAgent = UserAgent(context);
            return;
        }
        db.Set<KnownDevice>().Add(new KnownDevice { UserId = user.Id, DeviceHash = hash, FirstSeenAt = now, LastSeenAt = now, UserAgent = UserAgent(context) });
        if (!alertIfNew)
        {
            return;
        }
        Record(user.Id, SecurityEvent.NewDevice);
        mailer.Queue(new EmailTemplate(strings, "NewDevice"), user.Email!, user.Language, new Dictionary<string, string>
        {
            ["name"] = user.FullName,
            ["time"] = now.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            ["ip"] = context.Connection.RemoteIpAddress?.ToString() ?? "?",
            ["browser"] = UserAgent(context) ?? "?",
            [Mailer.ActionUrl] = publicUrl.Value.Link("/account/security"),
        });
    }

    private static string? UserAgent(HttpContext? context)
    {
        var agent = context?.Request.Headers.UserAgent.ToString();
        return string.IsNullOrEmpty(agent) ? null : agent.Length > 512 ? agent[..512] : agent;
    }
}
