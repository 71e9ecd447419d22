using Layan.Infrastructure.Db;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>
/// LOG-3, LOG-10: every failed password or second factor, wherever it is typed (sign-in, change
/// of address, password change, two-factor settings), counts toward one lockout: 5 within 15
/// minutes lock the account for 15 minutes. Counted with atomic updates in the database, so
/// parallel guesses are each counted. A locked account's password is not even checked.
/// </summary>
internal sealed class Lockout(
    LayanDbContext db,
    UserManager<User> users,
    IPasswordHasher<User> hasher,
    SecurityActivity activity,
    IOptions<AccountOptions> options,
    IOptions<PasswordHasherOptions> hashing,
    TimeProvider clock)
{
    private static readonly Lock DecoyGate = new();
    private static (int Iterations, string Hash)? _decoy;

    public bool IsLocked(User user) => user.LockoutEnd > clock.GetUtcNow();

    /// <summary>The password check of every form: false when locked, wrong (counted), or no user (same work).</summary>
    public async Task<bool> CheckPasswordAsync(User? user, string? password, CancellationToken cancellationToken)
    {
        if (user is null || password is null || IsLocked(user))
        {
            SpendEqualWork(user, password);
            if (user is not null && password is not null)
            {
                await activity.RecordNowAsync(user.Id, SecurityEvent.SignInFailed, cancellationToken);
            }
            return false;
        }
        if (await users.CheckPasswordAsync(user, password)) // re-hashes an older hash
        {
            return true;
        }
        await CountFailureAsync(user, SecurityEvent.SignInFailed, cancellationToken);
        return false;
    }

    /// <summary>Counts one failure atomically; locks the account at the limit.</summary>
    public async Task CountFailureAsync(User user, string kind, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var windowStart = now - settings.LockoutWindow;
        var accounts = db.Users.Where(u => u.Id == user.Id);
        await accounts.ExecuteUpdateAsync(
            u => u
                .SetProperty(x => x.AccessFailedCount, x => x.LastFailedSignInAt == null || x.LastFailedSignInAt <= windowStart ? 1 : x.AccessFailedCount + 1)
                .SetProperty(x => x.LastFailedSignInAt, now),
            cancellationToken);
        var locked = await accounts.Where(u => u.AccessFailedCount >= settings.LockoutFailures).ExecuteUpdateAsync(
            u => u.SetProperty(x => x.LockoutEnd, now + settings.LockoutDuration).SetProperty(x => x.AccessFailedCount, 0),
            cancellationToken);
        activity.Record(user.Id, kind);
        if (locked > 0)
        {
            activity.Record(user.Id, SecurityEvent.LockedOut);
        }
        await db.SaveChangesAsync(cancellationToken);
        await db.Entry(user).ReloadAsync(cancellationToken); // the counters changed under it
    }

    /// <summary>After a success the count starts again.</summary>
    public Task ResetAsync(User user, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(
            u => u.SetProperty(x => x.AccessFailedCount, 0).SetProperty(x => x.LastFailedSignInAt, (DateTimeOffset?)null),
            cancellationToken);

    // A real hash check at the configured strength, so unknown and locked take as long as wrong.
    private void SpendEqualWork(User? user, string? password)
    {
        var iterations = hashing.Value.IterationCount;
        string decoy;
        lock (DecoyGate)
        {
            if (_decoy is not { } known || known.Iterations != iterations)
            {
                _decoy = (iterations, new PasswordHasher<User>(hashing).HashPassword(null!, Guid.NewGuid().ToString()));
            }
            decoy = _decoy.Value.Hash;
        }
        hasher.VerifyHashedPassword(user!, decoy, password ?? "");
    }
}
