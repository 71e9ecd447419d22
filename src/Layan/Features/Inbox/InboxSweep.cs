using Layan.Features.Realtime;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Inbox;

/// <summary>
/// The safety net behind every trigger, one workspace at a time: snoozes that end, presence that
/// lapsed (no heartbeat within the grace window), ★ self-healing (the assignee went offline past
/// the grace window, or has not answered within the workspace's setting: back to the queue, passed
/// over once), then a routing pass over every department with a queue, so nothing waits forever.
/// Once a day it also recounts every agent's load.
/// </summary>
internal sealed class InboxSweep(
    LayanDbContext db, TenantContext tenant, Conversations conversations, Router router, AgentLoad load, EventLog events,
    IOptions<InboxOptions> options, TimeProvider clock)
{
    /// <summary>Workspaces with something the sweep may have to do (read across workspaces: the sweep is the system's own).</summary>
    public async Task<IReadOnlyList<Guid>> WorkspacesAsync(CancellationToken cancellationToken)
    {
        var withWork = await db.Set<Conversation>().IgnoreQueryFilters()
            .Where(c => c.Status == ConversationStatus.Open || c.Status == ConversationStatus.Snoozed || c.Status == ConversationStatus.Pending)
            .Select(c => c.WorkspaceId).Distinct().ToListAsync(cancellationToken);
        var withPresence = await db.Set<AgentState>().IgnoreQueryFilters().Where(a => a.Presence != PresenceStatus.Offline)
            .Select(a => a.WorkspaceId).Distinct().ToListAsync(cancellationToken);
        return [.. withWork.Union(withPresence)];
    }

    /// <summary>One pass over the current workspace; returns how many conversations it assigned.</summary>
    public async Task<int> RunAsync(bool rebuildLoad, CancellationToken cancellationToken)
    {
        var workspaceId = tenant.WorkspaceId ?? throw new InvalidOperationException("Enter a workspace first.");
        var now = clock.GetUtcNow();
        var staleBefore = now - options.Value.PresenceGrace;
        if (rebuildLoad)
        {
            await load.RebuildAsync(cancellationToken);
        }

        foreach (var snoozed in await db.Set<Conversation>().Where(c => c.Status == ConversationStatus.Snoozed && c.SnoozedUntil <= now).ToListAsync(cancellationToken))
        {
            await InTransactionAsync(() => conversations.MoveToStatusAsync(snoozed, ConversationStatus.Open, null, now, cancellationToken), cancellationToken);
        }

        foreach (var lapsed in await db.Set<AgentState>().Where(a => a.Presence != PresenceStatus.Offline && (a.LastSeenAt == null || a.LastSeenAt < staleBefore)).ToListAsync(cancellationToken))
        {
            lapsed.Presence = PresenceStatus.Offline;
            await db.SaveChangesAsync(cancellationToken);
            await events.AppendAsync("presence.changed", new PresenceEvent(lapsed.UserId, lapsed.Presence), cancellationToken);
        }

        var workspace = await db.Set<Workspace>().AsNoTracking().SingleAsync(w => w.Id == workspaceId, cancellationToken);
        if (await router.EffectiveModeAsync(workspace, cancellationToken) != RoutingModes.OpenAssignment)
        {
            await HealAsync(workspace, now, staleBefore, cancellationToken);
        }

        var assigned = 0;
        var queued = await db.Set<Conversation>().Where(c => c.QueuedAt != null && c.AssigneeId == null && c.Status == ConversationStatus.Open)
            .Select(c => c.DepartmentId).Distinct().ToListAsync(cancellationToken);
        foreach (var department in queued)
        {
            assigned += await router.RouteAsync(department, RoutingTriggers.Sweep, cancellationToken);
        }
        return assigned;
    }

    private async Task HealAsync(Workspace workspace, DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        var away = db.Set<AgentState>().Where(a => a.LastSeenAt == null || a.LastSeenAt < staleBefore).Select(a => a.UserId);
        var silentSince = workspace.ReassignAfterMinutes is { } minutes ? now.AddMinutes(-minutes) : (DateTimeOffset?)null;
        var stuck = await db.Set<Conversation>()
            .Where(c => c.Status == ConversationStatus.Open && c.AssigneeId != null &&
                (!db.Set<AgentState>().Any(a => a.UserId == c.AssigneeId) || away.Contains(c.AssigneeId!.Value) ||
                 (silentSince != null && c.AwaitingReplySince < silentSince && c.AssignedAt < silentSince)))
            .ToListAsync(cancellationToken);
        foreach (var conversation in stuck)
        {
            var previous = conversation.AssigneeId!.Value;
            await InTransactionAsync(async () =>
            {
                await load.ReleaseAsync(previous, cancellationToken);
                conversation.AssigneeId = null;
                conversation.AssignedAt = null;
                conversation.ReassignedFrom = previous;
                conversation.QueuedAt = conversation.AwaitingReplySince ?? conversation.CreatedAt;
                await db.SaveChangesAsync(cancellationToken);
                await events.AppendAsync("conversation.assigned", new AssignedEvent(conversation.Id, null, null, conversation.DepartmentId, null, RoutingTriggers.Reassign), cancellationToken);
            }, cancellationToken);
        }
    }

    private async Task InTransactionAsync(Func<Task> change, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await change();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // someone changed it meanwhile; the next pass looks again
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>Runs <see cref="InboxSweep"/> every <see cref="InboxOptions.SweepInterval"/> on every node (passes are idempotent and routing is serialized).</summary>
internal sealed partial class InboxSweepService(IServiceScopeFactory scopes, IOptions<InboxOptions> options, TimeProvider clock, ILogger<InboxSweepService> logger) : BackgroundService
{
    private DateTimeOffset _lastRebuild = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.SweepInterval <= TimeSpan.Zero)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(options.Value.SweepInterval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await SweepAllAsync(scopes, clock.GetUtcNow() - _lastRebuild > TimeSpan.FromDays(1), stoppingToken);
                if (clock.GetUtcNow() - _lastRebuild > TimeSpan.FromDays(1))
                {
                    _lastRebuild = clock.GetUtcNow();
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, e);
            }
        }
    }

    /// <summary>One sweep of every workspace, each in its own scope (tests call it directly).</summary>
    public static async Task<int> SweepAllAsync(IServiceScopeFactory scopes, bool rebuildLoad, CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> workspaces;
        await using (var scope = scopes.CreateAsyncScope())
        {
            workspaces = await scope.ServiceProvider.GetRequiredService<InboxSweep>().WorkspacesAsync(cancellationToken);
        }
        var assigned = 0;
        foreach (var workspaceId in workspaces)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspaceId);
            assigned += await scope.ServiceProvider.GetRequiredService<InboxSweep>().RunAsync(rebuildLoad, cancellationToken);
        }
        return assigned;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The inbox sweep failed; it runs again at the next interval.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
