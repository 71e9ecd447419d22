using System.Security.Claims;
using Layan.Features.Accounts;
using Layan.Features.Onboarding;
using Layan.Infrastructure;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace Layan.Features.Workspaces;

/// <summary>
/// <c>/api/v1/workspaces/{id}/members|invitations|departments</c> and accepting an invitation.
/// Every call passes <see cref="WorkspaceAccess"/>: not a member → 404, a role without the
/// action → 403 <c>forbidden</c>.
/// </summary>
internal static class WorkspaceEndpoints
{
    internal sealed record InviteBody(string? Email, string? Role);

    internal sealed record RoleBody(string? Role);

    internal sealed record NameBody(string? Name);

    internal sealed record MembersBody(IReadOnlyList<Guid>? UserIds);

    internal sealed record TokenBody(string? Token);

    internal sealed record FeatureBody(string? Feature);

    internal sealed record LabelBody(string? Name, string? Colour);

    internal sealed record QuickReplyBody(string? Keyword, string? Text);

    internal sealed record IdsBody(IReadOnlyList<Guid>? Ids);

    internal sealed record VisibilityBody(string? Visibility);

    internal sealed record ModeBody(string? Mode);

    internal sealed record PeriodBody(DateTimeOffset? PeriodEnd);

    public static void MapWorkspaceEndpoints(this WebApplication app)
    {
        var workspace = app.MapApiGroup("workspaces", "Team").RequireAuthorization().MapGroup("/{id:guid}");
        workspace.MapGet("/members", MembersAsync).WithSummary("The team, paged (`page`), and pending invitations for administrators (WS-1).");
        workspace.MapPost("/invitations", InviteAsync).WithSummary("Invite by email with a role; the link works once, for 7 days (WS-1).");
        workspace.MapDelete("/invitations/{invitationId:guid}", RevokeInvitationAsync).WithSummary("Withdraw a pending invitation.");
        workspace.MapPut("/members/{memberId:guid}/role", ChangeRoleAsync).WithSummary("Change a member's role; the last Administrator stays one.");
        workspace.MapPost("/members/{memberId:guid}/deactivate", DeactivateAsync).WithSummary("Deactivate a member: no access until reactivated.");
        workspace.MapPost("/members/{memberId:guid}/reactivate", ReactivateAsync).WithSummary("Reactivate a member.");
        workspace.MapGet("/departments", DepartmentsAsync).WithSummary("Departments and their members (WS-2).");
        workspace.MapPost("/departments", CreateDepartmentAsync).WithSummary("Create a department; one without the Department feature (PLAN-1).");
        workspace.MapPut("/departments/{departmentId:guid}", RenameDepartmentAsync).WithSummary("`{name}`: rename a department (the Main Department too).");
        workspace.MapPut("/labels/{itemId:guid}", UpdateLabelAsync).WithSummary("`{name, colour}`: rename or recolour a label (same rules as creating).");
        workspace.MapPut("/quick-replies/{itemId:guid}", UpdateQuickReplyAsync).WithSummary("`{keyword, text}`: change a quick reply (same rules as creating).");
        workspace.MapPut("/departments/{departmentId:guid}/members", SetDepartmentMembersAsync).WithSummary("Set a department's members.");
        workspace.MapGet("/labels", LabelsAsync).WithSummary("Labels; Revoked ones cannot be used (LBL-1).");
        workspace.MapPost("/labels", CreateLabelAsync).WithSummary("A label: name and a colour readable on white (4.5:1); 5 without the Label feature.");
        workspace.MapDelete("/labels/{itemId:guid}", DeleteLabelAsync).WithSummary("Delete a label.");
        workspace.MapDelete("/quick-replies/{itemId:guid}", DeleteQuickReplyAsync).WithSummary("Delete a quick reply.");
        workspace.MapDelete("/departments/{departmentId:guid}", DeleteDepartmentAsync).WithSummary("Delete a department (not the Main Department).");
        workspace.MapPut("/labels/defaults", LabelDefaultsAsync).WithSummary("While subscribed: which labels (at most 5) stay usable without the feature.");
        workspace.MapGet("/quick-replies", QuickRepliesAsync).WithSummary("Quick replies; Revoked ones cannot be used (QR-2).");
        workspace.MapPost("/quick-replies", CreateQuickReplyAsync).WithSummary("A quick reply: keyword and text; 5 without the Quick Reply feature (QR-1).");
        workspace.MapPut("/quick-replies/defaults", QuickReplyDefaultsAsync).WithSummary("While subscribed: which quick replies (at most 5) stay usable without the feature.");
        workspace.MapGet("/settings", SettingsAsync).WithSummary("Agents' visibility and the routing mode (chosen, and in effect).");
        workspace.MapPut("/settings/visibility", VisibilityAsync).WithSummary("`{visibility: \"all\"|\"departments\"}`: what agents see (Administrators).");
        workspace.MapPut("/settings/routing-mode", RoutingModeAsync).WithSummary("`{mode}`: open_assignment, minimum_workload or round; the last two need Distribute Chat (Supervisors).");
        workspace.MapGet("/audit", AuditAsync).WithSummary("The audit log, newest first: filters `action` (contains), `actor` (user id), `page` (X-3).");
        workspace.MapGet("/subscriptions", SubscriptionsAsync).WithSummary("Every feature with its quota, state, period end and days left (PLAN-1).");
        workspace.MapPost("/subscriptions", SubscribeAsync).WithSummary("Subscribe to a feature for a month with the card on file, or resume one that was ending (PLAN-2).");
        workspace.MapPost("/subscriptions/{feature}/cancel", UnsubscribeAsync).WithSummary("Unsubscribe: the feature stays until the end of the period (PLAN-3).");
        app.MapApiGroup("operator", "Operator").RequireAuthorization(Operator.OperatorPolicies.Admins)
            .MapPut("/workspaces/{id:guid}/subscriptions/{feature}", SetManagedAsync)
            .WithSummary("Operator staff set a workspace's subscription to a feature: `{periodEnd}` (null ends it now) (PLAN-2).");
        app.MapApiGroup("invitations", "Team").RequireAuthorization().RequireRateLimiting(RateLimits.Auth)
            .MapPost("/accept", AcceptAsync).WithSummary("Join a workspace with an invitation's token, signed in with the invited address.");
    }

    private static Guid Me(ClaimsPrincipal principal, UserManager<User> users) => MySecurity.UserId(principal, users)!.Value;

    /// <summary>Runs <paramref name="work"/> when the caller may take <paramref name="action"/> in the workspace; else 404 or 403.</summary>
    private static Task<IResult> AllowedAsync<T>(
        HttpContext http, Guid workspaceId, string action, Func<WorkspaceMembership, Task<Result<T>?>> work) =>
        AllowedAsync<T, OnboardingResource>(http, workspaceId, action, StatusOf, work);

    /// <summary>
    /// The same for any feature: its failures are worded from <typeparamref name="TResource"/>
    /// (which also words <c>forbidden</c>) with the statuses <paramref name="statusOf"/> gives.
    /// </summary>
    internal static async Task<IResult> AllowedAsync<T, TResource>(
        HttpContext http, Guid workspaceId, string action, Func<Failure, int> statusOf, Func<WorkspaceMembership, Task<Result<T>?>> work)
    {
        var services = http.RequestServices;
        var users = services.GetRequiredService<UserManager<User>>();
        var strings = services.GetRequiredService<IStringLocalizer<TResource>>();
        var access = await services.GetRequiredService<WorkspaceAccess>().CheckAsync(Me(http.User, users), workspaceId, action, http.RequestAborted);
        if (access is not { } checkedAccess)
        {
            return TypedResults.NotFound();
        }
        if (!checkedAccess.Succeeded)
        {
            return checkedAccess.Errors.ToProblem(StatusCodes.Status403Forbidden, strings, http);
        }
        var result = await work(checkedAccess.Value!);
        return result switch
        {
            null => TypedResults.NotFound(),
            { Succeeded: true } ok => TypedResults.Ok(ok.Value),
            { } failed => failed.Errors.ToProblem(statusOf(failed.Errors[0]), strings, http),
        };
    }

    /// <summary>The HTTP status of a team or department failure (docs/api.md lists it per code).</summary>
    internal static int StatusOf(Failure failure) => failure.Code switch
    {
        WorkspaceErrors.Forbidden => StatusCodes.Status403Forbidden,
        TeamErrors.LastAdministrator or TeamErrors.MemberExists or DepartmentErrors.DefaultKept => StatusCodes.Status409Conflict,
        DepartmentErrors.QuotaExceeded or PlanErrors.PaymentMethodRequired or OnboardingErrors.CardDeclined or OnboardingErrors.CardExpired => StatusCodes.Status402PaymentRequired,
        PlanErrors.ManagedWorkspace or CatalogErrors.NameTaken or PlanErrors.NotManaged or PlanErrors.OwnWorkspace => StatusCodes.Status409Conflict,
        CatalogErrors.DefaultsLocked or SettingsErrors.FeatureRequired => StatusCodes.Status402PaymentRequired,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>Every code of the team and departments, for the documentation test and the help panel.</summary>
    internal static IReadOnlyList<string> Codes { get; } =
    [
        WorkspaceErrors.Forbidden, TeamErrors.EmailInvalid, TeamErrors.RoleInvalid, TeamErrors.MemberExists, TeamErrors.InvitationInvalid,
        TeamErrors.InvitationEmailMismatch, TeamErrors.LastAdministrator, DepartmentErrors.NameRequired, DepartmentErrors.NameTaken,
        DepartmentErrors.QuotaExceeded, DepartmentErrors.MemberUnknown, DepartmentErrors.DefaultKept, PlanErrors.FeatureInvalid, PlanErrors.ManagedWorkspace, PlanErrors.PaymentMethodRequired,
        CatalogErrors.NameRequired, CatalogErrors.NameTaken, CatalogErrors.ColourInvalid, CatalogErrors.ColourContrastLow, CatalogErrors.KeywordInvalid,
        CatalogErrors.TextRequired, CatalogErrors.DefaultsLocked, CatalogErrors.TooManyDefaults,
        SettingsErrors.VisibilityInvalid, SettingsErrors.RoutingModeInvalid, SettingsErrors.FeatureRequired,
        PlanErrors.NotManaged, PlanErrors.OwnWorkspace, CatalogErrors.ItemUnknown,
    ];

    private static Task<Result<T>?> Done<T>(T value) => Task.FromResult<Result<T>?>(value);

    private static Task<IResult> MembersAsync(Guid id, Team team, HttpContext http, int page = 1) =>
        AllowedAsync(http, id, WorkspaceActions.ViewTeam, async access => (Result<TeamList>?)await team.ListAsync(access, page, http.RequestAborted));

    private static Task<IResult> InviteAsync(Guid id, InviteBody body, Team team, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageTeam, async access => (Result<InvitationItem>?)await team.InviteAsync(access, body.Email, body.Role, http.RequestAborted));

    private static Task<IResult> RevokeInvitationAsync(Guid id, Guid invitationId, Team team, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageTeam, async access =>
            await team.RevokeInvitationAsync(access, invitationId, http.RequestAborted) ? (Result<bool>?)true : null);

    private static Task<IResult> ChangeRoleAsync(Guid id, Guid memberId, RoleBody body, Team team, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageTeam, access => team.ChangeRoleAsync(access, memberId, body.Role, http.RequestAborted));

    private static Task<IResult> DeactivateAsync(Guid id, Guid memberId, Team team, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageTeam, access => team.SetActiveAsync(access, memberId, active: false, http.RequestAborted));

    private static Task<IResult> ReactivateAsync(Guid id, Guid memberId, Team team, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageTeam, access => team.SetActiveAsync(access, memberId, active: true, http.RequestAborted));

    private static Task<IResult> DepartmentsAsync(Guid id, Departments departments, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ViewTeam, async access => (Result<IReadOnlyList<DepartmentItem>>?)Result<IReadOnlyList<DepartmentItem>>.From(await departments.ListAsync(access, http.RequestAborted)));

    private static Task<IResult> CreateDepartmentAsync(Guid id, NameBody body, Departments departments, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageDepartments, async access => (Result<DepartmentItem>?)await departments.CreateAsync(access, body.Name, http.RequestAborted));

    private static Task<IResult> RenameDepartmentAsync(Guid id, Guid departmentId, NameBody body, Departments departments, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageDepartments, access => departments.RenameAsync(access, departmentId, body.Name, http.RequestAborted));

    private static Task<IResult> UpdateLabelAsync(Guid id, Guid itemId, LabelBody body, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageLabels, access => catalog.UpdateLabelAsync(access, itemId, body.Name, body.Colour, http.RequestAborted));

    private static Task<IResult> UpdateQuickReplyAsync(Guid id, Guid itemId, QuickReplyBody body, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageQuickReplies, access => catalog.UpdateQuickReplyAsync(access, itemId, body.Keyword, body.Text, http.RequestAborted));

    private static Task<IResult> SetDepartmentMembersAsync(Guid id, Guid departmentId, MembersBody body, Departments departments, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageDepartments, access => departments.SetMembersAsync(access, departmentId, body.UserIds, http.RequestAborted));

    private static Task<IResult> LabelsAsync(Guid id, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ViewTeam, async access =>
            (Result<IReadOnlyList<LabelItem>>?)Result<IReadOnlyList<LabelItem>>.From(await catalog.LabelsAsync(access, http.RequestAborted)));

    private static Task<IResult> CreateLabelAsync(Guid id, LabelBody body, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageLabels, async access => (Result<LabelItem>?)await catalog.CreateLabelAsync(access, body.Name, body.Colour, http.RequestAborted));

    private static Task<IResult> LabelDefaultsAsync(Guid id, IdsBody body, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageLabels, async access => (Result<bool>?)await catalog.SetDefaultsAsync<Label>(access, PlanFeatures.Label, body.Ids, http.RequestAborted));

    private static Task<IResult> DeleteLabelAsync(Guid id, Guid itemId, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageLabels, async access =>
            await catalog.DeleteAsync<Label>(access, PlanFeatures.Label, itemId, http.RequestAborted) ? (Result<bool>?)true : null);

    private static Task<IResult> DeleteQuickReplyAsync(Guid id, Guid itemId, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageQuickReplies, async access =>
            await catalog.DeleteAsync<QuickReply>(access, PlanFeatures.QuickReply, itemId, http.RequestAborted) ? (Result<bool>?)true : null);

    private static Task<IResult> DeleteDepartmentAsync(Guid id, Guid departmentId, Departments departments, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageDepartments, access => departments.DeleteAsync(access, departmentId, http.RequestAborted));

    private static Task<IResult> QuickRepliesAsync(Guid id, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.UseInbox, async access =>
            (Result<IReadOnlyList<QuickReplyItem>>?)Result<IReadOnlyList<QuickReplyItem>>.From(await catalog.QuickRepliesAsync(access, http.RequestAborted)));

    private static Task<IResult> CreateQuickReplyAsync(Guid id, QuickReplyBody body, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageQuickReplies, async access => (Result<QuickReplyItem>?)await catalog.CreateQuickReplyAsync(access, body.Keyword, body.Text, http.RequestAborted));

    private static Task<IResult> QuickReplyDefaultsAsync(Guid id, IdsBody body, Catalog catalog, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageQuickReplies, async access => (Result<bool>?)await catalog.SetDefaultsAsync<QuickReply>(access, PlanFeatures.QuickReply, body.Ids, http.RequestAborted));

    private static Task<IResult> SettingsAsync(Guid id, Settings settings, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ViewTeam, async access => (Result<WorkspaceSettings>?)await settings.GetAsync(access, http.RequestAborted));

    private static Task<IResult> VisibilityAsync(Guid id, VisibilityBody body, Settings settings, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageSettings, async access => (Result<WorkspaceSettings>?)await settings.SetVisibilityAsync(access, body.Visibility, http.RequestAborted));

    private static Task<IResult> RoutingModeAsync(Guid id, ModeBody body, Settings settings, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageRouting, async access => (Result<WorkspaceSettings>?)await settings.SetRoutingModeAsync(access, body.Mode, http.RequestAborted));

    private static Task<IResult> AuditAsync(Guid id, WorkspaceAudit log, HttpContext http, string? action = null, Guid? actor = null, int page = 1) =>
        AllowedAsync(http, id, WorkspaceActions.ViewAudit, async access => (Result<AuditPage>?)await log.ListAsync(access, action, actor, page, http.RequestAborted));

    private static Task<IResult> SubscriptionsAsync(Guid id, Plans plans, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageSubscriptions, async access =>
            (Result<IReadOnlyList<FeatureState>>?)Result<IReadOnlyList<FeatureState>>.From(await plans.StatusAsync(access.WorkspaceId, http.RequestAborted)));

    private static Task<IResult> SubscribeAsync(Guid id, FeatureBody body, Plans plans, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageSubscriptions, async access => (Result<IReadOnlyList<FeatureState>>?)await plans.SubscribeAsync(access, body.Feature, http.RequestAborted));

    private static Task<IResult> UnsubscribeAsync(Guid id, string feature, Plans plans, HttpContext http) =>
        AllowedAsync(http, id, WorkspaceActions.ManageSubscriptions, async access => (Result<IReadOnlyList<FeatureState>>?)await plans.UnsubscribeAsync(access, feature, http.RequestAborted));

    private static async Task<Results<Ok<IReadOnlyList<FeatureState>>, NotFound, ProblemHttpResult>> SetManagedAsync(
        Guid id, string feature, PeriodBody body, ClaimsPrincipal principal, UserManager<User> users, Plans plans, Infrastructure.Db.LayanDbContext db,
        Infrastructure.Tenancy.TenantContext tenant, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        if (!PlanFeatures.All.Contains(feature))
        {
            return ((IReadOnlyList<Failure>)[new Failure(PlanErrors.FeatureInvalid, "feature")]).ToProblem(StatusCodes.Status400BadRequest, strings, http);
        }
        if (!await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Set<Workspace>(), w => w.Id == id && w.Status == WorkspaceStatus.Active, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        tenant.Enter(id);
        var result = await plans.SetManagedAsync(id, feature, body.PeriodEnd, Me(principal, users).ToString(), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : result.Errors.ToProblem(StatusOf(result.Errors[0]), strings, http);
    }

    private static async Task<Results<Ok<WorkspaceSummary>, ProblemHttpResult>> AcceptAsync(
        TokenBody body, ClaimsPrincipal principal, UserManager<User> users, Team team, IStringLocalizer<OnboardingResource> strings, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await team.AcceptAsync(Me(principal, users), body.Token, cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result.Value!) : result.Errors.ToProblem(StatusOf(result.Errors[0]), strings, http);
    }
}
