using System.Security.Claims;
using Layan.Infrastructure.Db;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Accounts;

/// <summary>One line of the activity log as the owner sees it.</summary>
internal sealed record ActivityItem(string Kind, DateTimeOffset OccurredAt, string? IpAddress, string? UserAgent);

/// <summary>One active session as the owner sees it; <c>Current</c> is the one asking.</summary>
internal sealed record SessionItem(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, string? IpAddress, string? UserAgent, bool Current);

/// <summary>
/// LOG-8 for the signed-in user: their activity (paged, newest first), their active sessions, and
/// ending any of them at once. Only ever the caller's own rows.
/// </summary>
internal sealed class MySecurity(LayanDbContext db, SecurityActivity activity, Microsoft.Extensions.Options.IOptions<AccountOptions> options, TimeProvider clock)
{
    public const int MaxPageSize = 100;

    public async Task<(IReadOnlyList<ActivityItem> Items, int Total)> ActivityAsync(Guid userId, int page, int pageSize, CancellationToken cancellationToken)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var mine = db.Set<SecurityEvent>().Where(e => e.UserId == userId);
        var items = await mine.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Skip((Math.Max(page, 1) - 1) * pageSize).Take(pageSize)
            .Select(e => new ActivityItem(e.Kind, e.OccurredAt, e.IpAddress, e.UserAgent))
            .ToListAsync(cancellationToken);
        return (items, await mine.CountAsync(cancellationToken));
    }

    public async Task<IReadOnlyList<SessionItem>> SessionsAsync(Guid? current, Guid userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var sessions = await db.Set<UserSession>().AsNoTracking()
            .Where(s => s.UserId == userId && s.AbsoluteExpiresAt > now && s.LastSeenAt > now - options.Value.SessionIdle)
            .OrderByDescending(s => s.LastSeenAt)
            .Select(s => new { s.Id, s.CreatedAt, s.LastSeenAt, s.IpAddress, s.UserAgent })
            .ToListAsync(cancellationToken);
        return [.. sessions.Select(s => new SessionItem(s.Id, s.CreatedAt, s.LastSeenAt, s.IpAddress, s.UserAgent, s.Id == current))];
    }

    /// <summary>Ends one of the caller's sessions; false when there is no such session of theirs.</summary>
    public async Task<bool> EndSessionAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken)
    {
        var ended = await db.Set<UserSession>().Where(s => s.Id == sessionId && s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        if (ended == 0)
        {
            return false;
        }
        activity.Record(userId, SecurityEvent.SessionEnded);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public static Guid? UserId(ClaimsPrincipal principal, UserManager<User> users) =>
        Guid.TryParse(users.GetUserId(principal), out var id) ? id : null;
}
