using System.Text.Json;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;

namespace Layan.Infrastructure.Jobs;

/// <summary>
/// Schedules and cancels timers in the scoped unit of work; they take effect when the caller's
/// SaveChanges commits.
/// </summary>
internal sealed class DueWorkScheduler(LayanDbContext db, TenantContext tenant, TimeProvider clock)
{
    /// <summary>
    /// Runs <paramref name="kind"/> at <paramref name="dueAt"/>. With a <paramref name="key"/>, an
    /// existing timer of that key is moved (and re-armed if it already ran) instead of duplicated.
    /// Keys belong to the current workspace (or to the system outside one): two workspaces never
    /// share a timer.
    /// </summary>
    public async Task<DueWork> ScheduleAsync(
        string kind, object payload, DateTimeOffset dueAt, string? key = null, CancellationToken cancellationToken = default)
    {
        var json = Json(payload);
        var scopedKey = key is null ? null : ScopedKey(key);
        if (scopedKey is not null)
        {
            // Scheduled explicitly: an earlier arming of the same timer in this unit of work gives way.
            db.SharedTimers.Forget(scopedKey);
        }
        // A timer of this key added in this unit of work, not saved yet, is the one to move.
        var existing = scopedKey is null ? null
            : db.DueWork.Local.FirstOrDefault(w => w.Key == scopedKey) ?? await db.DueWork.SingleOrDefaultAsync(w => w.Key == scopedKey, cancellationToken);
        if (existing is not null)
        {
            existing.Kind = kind;
            existing.Payload = json;
            existing.DueAt = dueAt;
            existing.State = WorkState.Pending;
            existing.Attempts = 0;
            existing.CompletedAt = null;
            existing.LastError = null;
            // A run in flight loses its claim: its completion cannot overwrite the new schedule.
            existing.LeaseToken = null;
            existing.LeaseUntil = null;
            return existing;
        }
        var work = new DueWork
        {
            Kind = kind,
            Payload = json,
            Key = scopedKey,
            WorkspaceId = tenant.WorkspaceId,
            CreatedAt = clock.GetUtcNow(),
            DueAt = dueAt,
        };
        db.DueWork.Add(work);
        return work;
    }

    /// <summary>
    /// Like <see cref="ScheduleAsync"/>, except that a pending timer of <paramref name="key"/> is
    /// left as it is (its due and its attempts so far).
    /// </summary>
    public async Task<DueWork> ScheduleUnlessPendingAsync(string kind, object payload, DateTimeOffset dueAt, string key, CancellationToken cancellationToken = default)
    {
        var scopedKey = ScopedKey(key);
        var pending = db.DueWork.Local.FirstOrDefault(w => w.Key == scopedKey && w.State == WorkState.Pending)
            ?? await db.DueWork.SingleOrDefaultAsync(w => w.Key == scopedKey && w.State == WorkState.Pending, cancellationToken);
        return pending ?? await ScheduleAsync(kind, payload, dueAt, key, cancellationToken);
    }

    /// <summary>
    /// A timer shared by several things falling due (<paramref name="key"/> names the group): runs
    /// <paramref name="kind"/> at the earliest instant anyone asked for. A pending timer due later
    /// moves to <paramref name="dueAt"/>; one due earlier stays, and its handler finds what is due
    /// and arms itself again for the next. The row is written either way, so a run in flight loses
    /// its claim and runs again (it may have looked for the next due before this one was there).
    /// Written at SaveChanges as an upsert (<see cref="SharedTimers"/>), so concurrent units of work
    /// arming the same new key do not collide on it; a transaction that armed a timer holds its row
    /// until it commits.
    /// </summary>
    public async Task ScheduleEarliestAsync(string kind, object payload, DateTimeOffset dueAt, string key, CancellationToken cancellationToken = default)
    {
        var scopedKey = ScopedKey(key);
        var cancelled = db.ChangeTracker.Entries<DueWork>().FirstOrDefault(e => e.Entity.Key == scopedKey && e.State == EntityState.Deleted);
        if (cancelled is not null)
        {
            // Cancelled earlier in this unit of work: armed again (at this instant) instead of deleted.
            cancelled.State = EntityState.Unchanged;
        }
        // A timer this unit of work holds (a handler re-arming its own, one it made or moved) is changed where it is.
        if (db.DueWork.Local.FirstOrDefault(w => w.Key == scopedKey) is not { } tracked)
        {
            db.SharedTimers.Arm(scopedKey, kind, Json(payload), dueAt, tenant.WorkspaceId, clock.GetUtcNow());
            return;
        }
        var earlier = cancelled is null && tracked.State == WorkState.Pending && tracked.DueAt < dueAt ? tracked.DueAt : dueAt;
        var work = await ScheduleAsync(kind, payload, earlier, key, cancellationToken);
        var entry = db.Entry(work);
        if (entry.State == EntityState.Unchanged)
        {
            // Every re-arming column is written, not only what differs from a copy the runner may since have changed.
            foreach (var column in new[] { nameof(DueWork.DueAt), nameof(DueWork.State), nameof(DueWork.Attempts), nameof(DueWork.CompletedAt), nameof(DueWork.LastError), nameof(DueWork.LeaseUntil) })
            {
                entry.Property(column).IsModified = true;
            }
        }
    }

    /// <summary>
    /// Cancels the pending timer named <paramref name="key"/>; true if there was one. A run already
    /// in flight then fails to complete, and its changes are discarded.
    /// </summary>
    public async Task<bool> CancelAsync(string key, CancellationToken cancellationToken = default)
    {
        var scopedKey = ScopedKey(key);
        db.SharedTimers.Forget(scopedKey);
        var existing = db.DueWork.Local.FirstOrDefault(w => w.Key == scopedKey && w.State == WorkState.Pending)
            ?? await db.DueWork.SingleOrDefaultAsync(w => w.Key == scopedKey && w.State == WorkState.Pending, cancellationToken);
        if (existing is null)
        {
            return false;
        }
        db.DueWork.Remove(existing);
        return true;
    }

    private static string Json(object payload) => JsonSerializer.Serialize(payload, payload.GetType(), JsonSerializerOptions.Web);

    private string ScopedKey(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return $"{tenant.WorkspaceId?.ToString("N") ?? "system"}:{key}";
    }
}

internal static class DueWorkModule
{
    public static WebApplicationBuilder AddDueWork(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<DueWorkScheduler>();
        return builder.AddWorkQueue<DueWork>("DueWork");
    }
}
