using System.Text.Json;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Accounts;

/// <summary>
/// One WebAuthn ceremony in progress: the state Identity's passkey handler needs to check the
/// browser's answer (its challenge), kept on the server for 5 minutes and usable once, so an
/// answer cannot be replayed and any node can finish what another began.
/// </summary>
internal sealed class PasskeyCeremony
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>The person adding a passkey, or the person at the second step; null for a passwordless sign-in.</summary>
    public Guid? UserId { get; init; }

    /// <summary><c>create</c> or <c>sign-in</c>.</summary>
    public required string Kind { get; init; }

    public required string ProtectedState { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class PasskeyCeremonyConfiguration : IEntityTypeConfiguration<PasskeyCeremony>
{
    public void Configure(EntityTypeBuilder<PasskeyCeremony> builder)
    {
        builder.ToTable("PasskeyCeremonies");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Kind).HasMaxLength(10);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.ExpiresAt);
    }
}

/// <summary>What the browser passes to <c>navigator.credentials.create()</c> or <c>.get()</c>, and the ceremony to quote back.</summary>
internal sealed record PasskeyChallenge(Guid Ceremony, JsonElement Options);

/// <summary>A passkey as its owner sees it; the id is the credential id, base64url.</summary>
internal sealed record PasskeyItem(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>
/// LOG-2: passkeys (WebAuthn) through ASP.NET Core Identity's passkey handler. A signed-in person
/// adds passkeys in Security settings and removes them, each time with the password; either ends
/// every other session (LOG-10). A passkey then signs
/// in on its own (a user-verified passkey is two factors: the device and its PIN or biometrics)
/// or answers the second step after a password.
/// </summary>
internal sealed class Passkeys(
    LayanDbContext db,
    UserManager<User> users,
    SignInManager<User> signIn,
    IPasskeyHandler<User> handler,
    IHttpContextAccessor http,
    TwoFactor twoFactor,
    Lockout lockout,
    IDataProtectionProvider protection,
    TimeProvider clock)
{
    public const int MaxNameLength = 100;

    private const string Create = "create";
    private const string SignIn = "sign-in";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly IDataProtector _state = protection.CreateProtector("Layan.Accounts.PasskeyCeremony");

    /// <summary>Begins adding a passkey; like every change of how the account signs in, it needs the password.</summary>
    public async Task<Result<PasskeyChallenge>> CreationOptionsAsync(User user, string? password, CancellationToken cancellationToken)
    {
        if (!await lockout.CheckPasswordAsync(user, password, cancellationToken))
        {
            return new Failure(AccountErrors.CredentialsInvalid, "password");
        }
        var entity = new PasskeyUserEntity { Id = user.Id.ToString(), Name = user.Email!, DisplayName = user.FullName };
        var made = await handler.MakeCreationOptionsAsync(entity, http.HttpContext!);
        return await BeginAsync(user.Id, Create, made.AttestationState, made.CreationOptionsJson, cancellationToken);
    }

    public async Task<Result<PasskeyItem>> AddAsync(User user, Guid ceremony, JsonElement credential, string? name, CancellationToken cancellationToken)
    {
        var label = string.IsNullOrWhiteSpace(name) ? "Passkey" : name.Trim();
        if (label.Length > MaxNameLength || label.Any(char.IsControl))
        {
            return new Failure(AccountErrors.PasskeyNameInvalid, "name");
        }
        var state = await SpendAsync(ceremony, Create, user.Id, cancellationToken);
        if (state is null || credential.ValueKind != JsonValueKind.Object)
        {
            return new Failure(AccountErrors.PasskeyInvalid, "credential");
        }
        var attested = await handler.PerformAttestationAsync(new PasskeyAttestationContext
        {
            HttpContext = http.HttpContext!,
            CredentialJson = credential.GetRawText(),
            AttestationState = state,
        });
        if (!attested.Succeeded)
        {
            return new Failure(AccountErrors.PasskeyInvalid, "credential");
        }
        var passkey = attested.Passkey;
        passkey.Name = label;
        var added = IdentityResult.Failed();
        await twoFactor.ApplySecurityChangeAsync(user, SessionTicketStore.CurrentSession(http.HttpContext), SecurityEvent.PasskeyAdded,
            async () => added = await users.AddOrUpdatePasskeyAsync(user, passkey), cancellationToken);
        return added.Succeeded
            ? new PasskeyItem(WebEncoders.Base64UrlEncode(passkey.CredentialId), label, passkey.CreatedAt)
            : new Failure(AccountErrors.PasskeyInvalid, "credential");
    }

    public async Task<IReadOnlyList<PasskeyItem>> ListAsync(User user) =>
        [.. (await users.GetPasskeysAsync(user))
            .OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeyItem(WebEncoders.Base64UrlEncode(p.CredentialId), p.Name ?? "Passkey", p.CreatedAt))];

    /// <summary>Removes one of the user's passkeys, confirmed with the password; another person's passkey is simply not found.</summary>
    public async Task<Result<bool>> RemoveAsync(User user, string? id, string? password, CancellationToken cancellationToken)
    {
        if (!await lockout.CheckPasswordAsync(user, password, cancellationToken))
        {
            return new Failure(AccountErrors.CredentialsInvalid, "password");
        }
        byte[] credentialId;
        try
        {
            credentialId = WebEncoders.Base64UrlDecode(id ?? "");
        }
        catch (FormatException)
        {
            return false;
        }
        if (await users.GetPasskeyAsync(user, credentialId) is null)
        {
            return false;
        }
        await twoFactor.ApplySecurityChangeAsync(user, SessionTicketStore.CurrentSession(http.HttpContext), SecurityEvent.PasskeyRemoved,
            () => users.RemovePasskeyAsync(user, credentialId), cancellationToken);
        return true;
    }

    /// <summary>
    /// Options for signing in with a passkey: any passkey of this site (passwordless), or, at the
    /// second step after a password, only that person's passkeys.
    /// </summary>
    public async Task<PasskeyChallenge> RequestOptionsAsync(CancellationToken cancellationToken)
    {
        var pending = await signIn.GetTwoFactorAuthenticationUserAsync();
        var made = await handler.MakeRequestOptionsAsync(pending, http.HttpContext!);
        return await BeginAsync(pending?.Id, SignIn, made.AssertionState, made.RequestOptionsJson, cancellationToken);
    }

    /// <summary>
    /// Checks the browser's signed answer. The user it names is returned ready for a session (the
    /// caller starts it); a locked account, a spent or foreign ceremony, or any failed check
    /// answers <c>passkey_invalid</c>, and a failure at the second step counts toward the lockout.
    /// </summary>
    public async Task<Result<User>> SignInAsync(Guid ceremony, JsonElement credential, CancellationToken cancellationToken)
    {
        var pending = await signIn.GetTwoFactorAuthenticationUserAsync();
        var state = await SpendAsync(ceremony, SignIn, pending?.Id, cancellationToken);
        if (state is null || credential.ValueKind != JsonValueKind.Object)
        {
            return new Failure(AccountErrors.PasskeyInvalid, "credential");
        }
        var asserted = await handler.PerformAssertionAsync(new PasskeyAssertionContext
        {
            HttpContext = http.HttpContext!,
            CredentialJson = credential.GetRawText(),
            AssertionState = state,
        });
        if (!asserted.Succeeded || (pending is not null && asserted.User.Id != pending.Id))
        {
            if (pending is not null)
            {
                await lockout.CountFailureAsync(pending, SecurityEvent.SecondFactorFailed, cancellationToken);
            }
            return new Failure(AccountErrors.PasskeyInvalid, "credential");
        }
        var user = asserted.User;
        if (lockout.IsLocked(user) || !user.EmailConfirmed)
        {
            return new Failure(AccountErrors.PasskeyInvalid, "credential");
        }
        await users.AddOrUpdatePasskeyAsync(user, asserted.Passkey); // the new signature count
        await lockout.ResetAsync(user, cancellationToken);
        if (pending is not null)
        {
            await http.HttpContext!.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        }
        return user;
    }

    private async Task<PasskeyChallenge> BeginAsync(Guid? userId, string kind, string? state, string optionsJson, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await db.Set<PasskeyCeremony>().Where(c => c.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        var ceremony = new PasskeyCeremony
        {
            UserId = userId,
            Kind = kind,
            ProtectedState = _state.Protect(state ?? ""),
            ExpiresAt = now + Lifetime,
        };
        db.Set<PasskeyCeremony>().Add(ceremony);
        await db.SaveChangesAsync(cancellationToken);
        using var options = JsonDocument.Parse(optionsJson);
        return new PasskeyChallenge(ceremony.Id, options.RootElement.Clone());
    }

    // Marks the ceremony used in one statement, so two answers to one challenge cannot both pass.
    private async Task<string?> SpendAsync(Guid ceremony, string kind, Guid? userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var spent = await db.Set<PasskeyCeremony>()
            .Where(c => c.Id == ceremony && c.Kind == kind && c.UserId == userId && c.UsedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), cancellationToken);
        if (spent != 1)
        {
            return null;
        }
        var stored = await db.Set<PasskeyCeremony>().AsNoTracking().SingleAsync(c => c.Id == ceremony, cancellationToken);
        var state = _state.Unprotect(stored.ProtectedState);
        return state.Length == 0 ? null : state;
    }
}
