namespace Layan.Features.Accounts;

/// <summary>Section <c>Accounts</c>. Every number of ACC/LOG is a setting; these are the defaults.</summary>
internal sealed class AccountOptions
{
    public const string Section = "Accounts";

    /// <summary>ACC-4: a code lives this long.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>ACC-4: wrong tries before a code is void.</summary>
    public int CodeMaxFailedAttempts { get; set; } = 5;

    /// <summary>ACC-5: at most one manual resend per this interval per address.</summary>
    public TimeSpan ResendCooldown { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>ACC-5: manual resends per address per 24 hours.</summary>
    public int ResendsPerDay { get; set; } = 10;

    /// <summary>ACC-6: automatic resend interval and count.</summary>
    public TimeSpan AutoResendInterval { get; set; } = TimeSpan.FromMinutes(5);

    public int AutoResendCount { get; set; } = 6;

    /// <summary>ACC-11: unverified registrations are deleted after this.</summary>
    public TimeSpan UnverifiedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>LOG-3: failures within <see cref="LockoutWindow"/> that lock the account for <see cref="LockoutDuration"/>.</summary>
    public int LockoutFailures { get; set; } = 5;

    public TimeSpan LockoutWindow { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>LOG-10: a session ends after this long without a request, and after <see cref="SessionAbsolute"/> in any case.</summary>
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan SessionAbsolute { get; set; } = TimeSpan.FromHours(24);

    /// <summary>LOG-10: a second-factor code by email lives this long.</summary>
    public TimeSpan SecondFactorCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>LOG-4: a password-reset link works once, for this long.</summary>
    public TimeSpan ResetLinkLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>LOG-10: PBKDF2 (HMAC-SHA512) iterations; older hashes are rehashed at sign-in.</summary>
    public int PasswordHashIterations { get; set; } = 210_000;
}
