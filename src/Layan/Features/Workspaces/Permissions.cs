using Layan.Features.Onboarding;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Workspaces;

/// <summary>What people do in a workspace; each endpoint and page names the one it needs.</summary>
internal static class WorkspaceActions
{
    public const string ViewTeam = "team.view";
    public const string ManageTeam = "team.manage";
    public const string ManageDepartments = "departments.manage";
    public const string ManageLabels = "labels.manage";
    public const string ManageQuickReplies = "quick-replies.manage";
    public const string ManageRouting = "routing.manage";
    public const string ManageSubscriptions = "subscriptions.manage";
    public const string ManageSettings = "settings.manage";
    public const string ViewAudit = "audit.view";
    public const string UseInbox = "inbox.use";
    public const string UseTickets = "tickets.use";
    public const string ManageTickets = "tickets.manage";
    public const string ManageChannels = "channels.manage";
}

/// <summary>
/// The one permission table (WS-1): role → the actions it may take. Enforced on the server by
/// <see cref="WorkspaceAccess"/> for every workspace endpoint and page; the UI only hides what
/// the server would refuse anyway.
/// </summary>
internal static class PermissionTable
{
    private static readonly Dictionary<string, HashSet<string>> Allowed = new()
    {
        [WorkspaceRoles.Administrator] =
        [
            WorkspaceActions.ViewTeam, WorkspaceActions.ManageTeam, WorkspaceActions.ManageDepartments, WorkspaceActions.ManageLabels,
            WorkspaceActions.ManageQuickReplies, WorkspaceActions.ManageRouting, WorkspaceActions.ManageSubscriptions,
            WorkspaceActions.ManageSettings, WorkspaceActions.ViewAudit, WorkspaceActions.UseInbox, WorkspaceActions.UseTickets,
            WorkspaceActions.ManageTickets, WorkspaceActions.ManageChannels,
        ],
        [WorkspaceRoles.Supervisor] =
        [
            WorkspaceActions.ViewTeam, WorkspaceActions.ManageDepartments, WorkspaceActions.ManageLabels,
            WorkspaceActions.ManageQuickReplies, WorkspaceActions.ManageRouting, WorkspaceActions.UseInbox, WorkspaceActions.UseTickets,
            WorkspaceActions.ManageTickets,
        ],
        [WorkspaceRoles.Agent] = [WorkspaceActions.ViewTeam, WorkspaceActions.UseInbox, WorkspaceActions.UseTickets],
    };

    public static bool Allows(string role, string action) => Allowed.TryGetValue(role, out var actions) && actions.Contains(action);

    /// <summary>The table as the docs and the team page show it.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> All => Allowed.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value);
}

/// <summary>Who is acting in which workspace, with which role.</summary>
internal sealed record WorkspaceMembership(Workspace Workspace, WorkspaceMember Member)
{
    public Guid WorkspaceId => Workspace.Id;

    public string Role => Member.Role;

    public bool Can(string action) => PermissionTable.Allows(Member.Role, action);
}

internal static class WorkspaceErrors
{
    public const string Forbidden = "forbidden";
}

/// <summary>
/// The gate of every workspace feature: the caller must be an active member of an active
/// workspace (else "not found": another workspace's existence is not revealed), and their role
/// must allow the action (else "forbidden"). The scope then acts in that workspace.
/// </summary>
internal sealed class WorkspaceAccess(LayanDbContext db, TenantContext tenant)
{
    /// <summary>Null: not found for this caller. A failure: a member whose role does not allow <paramref name="action"/>.</summary>
    public async Task<Result<WorkspaceMembership>?> CheckAsync(Guid userId, Guid workspaceId, string action, CancellationToken cancellationToken)
    {
        var found = await (from m in db.Set<WorkspaceMember>()
                           join w in db.Set<Workspace>() on m.WorkspaceId equals w.Id
                           where m.UserId == userId && m.WorkspaceId == workspaceId && m.Active && w.Status == WorkspaceStatus.Active
                           select new { Workspace = w, Member = m }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }
        tenant.Enter(workspaceId);
        var membership = new WorkspaceMembership(found.Workspace, found.Member);
        return membership.Can(action) ? membership : new Failure(WorkspaceErrors.Forbidden);
    }
}
