using Layan.Features.Realtime;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Inbox;

/// <summary>An agent's presence and preferences as their inbox shows them.</summary>
internal sealed record AgentSettings(
    string Presence, bool Online, int Capacity, int OpenCount, string SoundOnMessage, string SoundOnAssignment,
    bool BrowserNotifications, bool EmailOnAssignment, bool EmailOnMention, bool EmailOnSlaWarning, bool EmailOnSlaBreach);

internal sealed record PresenceEvent(Guid UserId, string Presence);

/// <summary>What an agent sets; the SLA email choices, left out, stay as they are (clients older than them keep working).</summary>
internal sealed record NotificationPreferences(
    string? SoundOnMessage, string? SoundOnAssignment, bool BrowserNotifications, bool EmailOnAssignment, bool EmailOnMention,
    bool? EmailOnSlaWarning = null, bool? EmailOnSlaBreach = null);

/// <summary>The inbox settings a Supervisor sets (INB-3 capacity, ★ self-healing, presence idle).</summary>
internal sealed record InboxSettings(int DefaultCapacity, int? ReassignAfterMinutes, int AwayAfterMinutes, bool WidgetAskName, bool WidgetAskEmail, bool WidgetAskDepartment, bool IdentityVerification);

/// <summary>
/// Presence: the status an agent sets (online, away, offline) and a heartbeat from their open
/// inbox. Online counts only within the grace window after the last heartbeat, so a closed laptop
/// goes offline by itself; an agent idle past the workspace's setting becomes away. Coming online
/// routes what waits in their departments.
/// </summary>
internal sealed class Presence(LayanDbContext db, AgentLoad load, Router router, EventLog events, AuditLog audit, IOptions<InboxOptions> options, TimeProvider clock)
{
    public async Task<AgentSettings> GetAsync(WorkspaceMembership access, CancellationToken cancellationToken)
    {
        var state = await StateAsync(access, cancellationToken);
        return Settings(access, state);
    }

    public async Task<Result<AgentSettings>> SetAsync(WorkspaceMembership access, string? presence, CancellationToken cancellationToken)
    {
        if (!PresenceStatus.All.Contains(presence))
        {
            return new Failure(InboxErrors.PresenceInvalid, "presence");
        }
        var state = await StateAsync(access, cancellationToken);
        var wasOnline = IsOnline(state);
        state.Presence = presence!;
        state.LastSeenAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await events.AppendAsync("presence.changed", new PresenceEvent(state.UserId, state.Presence), cancellationToken);
        await RouteIfBackAsync(access, wasOnline, state, cancellationToken);
        return Settings(access, state);
    }

    /// <summary>The open inbox says it is there, and how long its person has been idle.</summary>
    public async Task<AgentSettings> HeartbeatAsync(WorkspaceMembership access, int idleSeconds, CancellationToken cancellationToken)
    {
        var state = await StateAsync(access, cancellationToken);
        var wasOnline = IsOnline(state);
        state.LastSeenAt = clock.GetUtcNow();
        var awayAfter = access.Workspace.AwayAfterMinutes;
        if (state.Presence == PresenceStatus.Online && awayAfter > 0 && idleSeconds >= awayAfter * 60)
        {
            state.Presence = PresenceStatus.Away;
            await events.AppendAsync("presence.changed", new PresenceEvent(state.UserId, state.Presence), cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await RouteIfBackAsync(access, wasOnline, state, cancellationToken);
        return Settings(access, state);
    }

    public async Task<Result<AgentSettings>> SetPreferencesAsync(WorkspaceMembership access, NotificationPreferences preferences, CancellationToken cancellationToken)
    {
        if (!Sounds.All.Contains(preferences.SoundOnMessage) || !Sounds.All.Contains(preferences.SoundOnAssignment))
        {
            return new Failure(InboxErrors.SoundInvalid, "sound");
        }
        var state = await StateAsync(access, cancellationToken);
        state.SoundOnMessage = preferences.SoundOnMessage!;
        state.SoundOnAssignment = preferences.SoundOnAssignment!;
        state.BrowserNotifications = preferences.BrowserNotifications;
        state.EmailOnAssignment = preferences.EmailOnAssignment;
        state.EmailOnMention = preferences.EmailOnMention;
        state.EmailOnSlaWarning = preferences.EmailOnSlaWarning ?? state.EmailOnSlaWarning;
        state.EmailOnSlaBreach = preferences.EmailOnSlaBreach ?? state.EmailOnSlaBreach;
        await db.SaveChangesAsync(cancellationToken);
        return Settings(access, state);
    }

    /// <summary>INB-3: one agent's capacity (null: the workspace default), set by a Supervisor.</summary>
    public async Task<Result<AgentSettings>?> SetCapacityAsync(WorkspaceMembership access, Guid userId, int? capacity, CancellationToken cancellationToken)
    {
        if (!await db.Set<WorkspaceMember>().AnyAsync(m => m.WorkspaceId == access.WorkspaceId && m.UserId == userId, cancellationToken))
        {
            return null;
        }
        if (capacity is < 0 or > 1000)
        {
            return new Failure(InboxErrors.CapacityInvalid, "capacity");
        }
        await load.EnsureAsync(userId, cancellationToken);
        var state = await db.Set<AgentState>().SingleAsync(a => a.UserId == userId, cancellationToken);
        audit.Record("inbox.capacity", $"members/{userId}", new { capacity = state.Capacity }, new { capacity }, actorId: access.Member.UserId.ToString());
        state.Capacity = capacity;
        await db.SaveChangesAsync(cancellationToken);
        await router.TriggerAsync(() => router.RouteForAgentAsync(userId, RoutingTriggers.Settings, null, cancellationToken), RoutingTriggers.Settings);
        return Settings(access, state);
    }

    public static InboxSettings InboxSettingsOf(Workspace w) =>
        new(w.DefaultCapacity, w.ReassignAfterMinutes, w.AwayAfterMinutes, w.WidgetAskName, w.WidgetAskEmail, w.WidgetAskDepartment, w.WidgetSecret is not null);

    /// <summary>The workspace's inbox settings (Supervisors): default capacity, reassign-after, away-after, the widget's pre-chat fields.</summary>
    public async Task<Result<InboxSettings>> SetInboxSettingsAsync(WorkspaceMembership access, InboxSettings settings, CancellationToken cancellationToken)
    {
        if (settings.DefaultCapacity is < 1 or > 1000)
        {
            return new Failure(InboxErrors.CapacityInvalid, "defaultCapacity");
        }
        if (settings.ReassignAfterMinutes is < 1 or > 1440 || settings.AwayAfterMinutes is < 0 or > 1440)
        {
            return new Failure(InboxErrors.MinutesInvalid, settings.ReassignAfterMinutes is < 1 or > 1440 ? "reassignAfterMinutes" : "awayAfterMinutes");
        }
        var workspace = access.Workspace;
        var before = InboxSettingsOf(workspace);
        workspace.DefaultCapacity = settings.DefaultCapacity;
        workspace.ReassignAfterMinutes = settings.ReassignAfterMinutes;
        workspace.AwayAfterMinutes = settings.AwayAfterMinutes;
        workspace.WidgetAskName = settings.WidgetAskName;
        workspace.WidgetAskEmail = settings.WidgetAskEmail;
        workspace.WidgetAskDepartment = settings.WidgetAskDepartment;
        audit.Record("inbox.settings", $"workspaces/{workspace.Id}", before, InboxSettingsOf(workspace), actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        foreach (var department in await db.Set<Department>().Select(d => d.Id).ToListAsync(cancellationToken))
        {
            await router.TriggerAsync(() => router.RouteAsync(department, RoutingTriggers.Settings, cancellationToken), RoutingTriggers.Settings);
        }
        return InboxSettingsOf(workspace);
    }

    /// <summary>HLP-4 identity verification: a new widget secret (the old one stops verifying at once). Shown once.</summary>
    public async Task<string> RotateWidgetSecretAsync(WorkspaceMembership access, CancellationToken cancellationToken)
    {
        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        access.Workspace.WidgetSecret = secret;
        audit.Record("inbox.widget_secret", $"workspaces/{access.WorkspaceId}", null, null, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return secret;
    }

    public bool IsOnline(AgentState state) =>
        state is { Presence: PresenceStatus.Online, LastSeenAt: { } seen } && seen >= clock.GetUtcNow() - options.Value.PresenceGrace;

    private async Task RouteIfBackAsync(WorkspaceMembership access, bool wasOnline, AgentState state, CancellationToken cancellationToken)
    {
        if (!wasOnline && IsOnline(state))
        {
            await router.TriggerAsync(() => router.RouteForAgentAsync(access.Member.UserId, RoutingTriggers.AgentOnline, null, cancellationToken), RoutingTriggers.AgentOnline);
        }
    }

    private async Task<AgentState> StateAsync(WorkspaceMembership access, CancellationToken cancellationToken)
    {
        await load.EnsureAsync(access.Member.UserId, cancellationToken);
        return await db.Set<AgentState>().SingleAsync(a => a.WorkspaceId == access.WorkspaceId && a.UserId == access.Member.UserId, cancellationToken);
    }

    private AgentSettings Settings(WorkspaceMembership access, AgentState s) =>
        new(s.Presence, IsOnline(s), s.Capacity ?? access.Workspace.DefaultCapacity, s.OpenCount, s.SoundOnMessage, s.SoundOnAssignment,
            s.BrowserNotifications, s.EmailOnAssignment, s.EmailOnMention, s.EmailOnSlaWarning, s.EmailOnSlaBreach);
}
