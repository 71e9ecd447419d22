using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Workspaces;

/// <summary>INB-3's routing modes; anything but Open Assignment needs the Distribute Chat feature.</summary>
internal static class RoutingModes
{
    public const string OpenAssignment = "open_assignment";
    public const string MinimumWorkload = "minimum_workload";
    public const string Round = "round";

    public static IReadOnlyList<string> All { get; } = [OpenAssignment, MinimumWorkload, Round];
}

/// <summary>★ Department-scoped visibility: agents see all conversations, or only their departments'.</summary>
internal static class AgentVisibility
{
    public const string All = "all";
    public const string Departments = "departments";
}

/// <summary>The workspace settings of this issue: agents' visibility, and the routing mode chosen and in effect.</summary>
internal sealed record WorkspaceSettings(string AgentVisibility, string ChosenRoutingMode, string EffectiveRoutingMode);

internal static class SettingsErrors
{
    public const string VisibilityInvalid = "visibility_invalid";
    public const string RoutingModeInvalid = "routing_mode_invalid";
    public const string FeatureRequired = "feature_required";
}

/// <summary>
/// WS-1's visibility setting and INB-3's routing mode. The chosen mode is remembered: while
/// Distribute Chat has lapsed the mode in effect is Open Assignment, and the chosen one returns
/// with the feature (PLAN-3) without anyone setting it again.
/// </summary>
internal sealed class Settings(LayanDbContext db, Entitlements entitlements, AuditLog audit)
{
    public async Task<WorkspaceSettings> GetAsync(WorkspaceMembership access, CancellationToken cancellationToken)
    {
        var workspace = access.Workspace;
        var distribute = await entitlements.SubscribedAsync(workspace.Id, PlanFeatures.DistributeChat, cancellationToken);
        return new WorkspaceSettings(workspace.AgentVisibility, workspace.RoutingMode, distribute ? workspace.RoutingMode : RoutingModes.OpenAssignment);
    }

    public async Task<Result<WorkspaceSettings>> SetVisibilityAsync(WorkspaceMembership access, string? visibility, CancellationToken cancellationToken)
    {
        if (visibility is not (AgentVisibility.All or AgentVisibility.Departments))
        {
            return new Failure(SettingsErrors.VisibilityInvalid, "visibility");
        }
        var before = access.Workspace.AgentVisibility;
        access.Workspace.AgentVisibility = visibility;
        audit.Record("settings.visibility", $"workspaces/{access.WorkspaceId}", new { visibility = before }, new { visibility }, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return await GetAsync(access, cancellationToken);
    }

    public async Task<Result<WorkspaceSettings>> SetRoutingModeAsync(WorkspaceMembership access, string? mode, CancellationToken cancellationToken)
    {
        if (!RoutingModes.All.Contains(mode))
        {
            return new Failure(SettingsErrors.RoutingModeInvalid, "mode");
        }
        if (mode != RoutingModes.OpenAssignment && !await entitlements.SubscribedAsync(access.WorkspaceId, PlanFeatures.DistributeChat, cancellationToken))
        {
            return new Failure(SettingsErrors.FeatureRequired, "mode");
        }
        var before = access.Workspace.RoutingMode;
        access.Workspace.RoutingMode = mode!;
        audit.Record("settings.routing_mode", $"workspaces/{access.WorkspaceId}", new { mode = before }, new { mode }, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return await GetAsync(access, cancellationToken);
    }
}

/// <summary>X-3: one administrative change as the audit page lists it.</summary>
internal sealed record AuditItem(DateTimeOffset OccurredAt, string Actor, string Action, string Subject, string? Before, string? After, string? Reason);

internal sealed record AuditPage(IReadOnlyList<AuditItem> Items, int Total, int Page, int PageSize);

/// <summary>X-3: the workspace's audit log, newest first, filtered by action and by person, paged on the server.</summary>
internal sealed class WorkspaceAudit(LayanDbContext db)
{
    public const int PageSize = 50;

    public async Task<AuditPage> ListAsync(WorkspaceMembership access, string? action, Guid? actor, int page, CancellationToken cancellationToken)
    {
        page = Math.Max(page, 1);
        var query = db.AuditLog.AsNoTracking().Where(a => a.WorkspaceId == access.WorkspaceId);
        if (!string.IsNullOrWhiteSpace(action))
        {
            var pattern = action.Trim();
            query = query.Where(a => a.Action.Contains(pattern));
        }
        if (actor is { } actorId)
        {
            var id = actorId.ToString();
            query = query.Where(a => a.ActorId == id);
        }
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id)
            .Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        var actorIds = rows.Select(r => Guid.TryParse(r.ActorId, out var g) ? g : Guid.Empty).Distinct().ToList();
        var names = await db.Set<Accounts.User>().Where(u => actorIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id.ToString(), u => u.FullName, cancellationToken);
        return new AuditPage(
            [.. rows.Select(r => new AuditItem(r.OccurredAt, names.GetValueOrDefault(r.ActorId, r.ActorId), r.Action, r.Subject, r.Before, r.After, r.Reason))],
            total, page, PageSize);
    }
}
