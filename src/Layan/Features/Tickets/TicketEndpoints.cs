using Layan.Features.Tickets.Rules;
using Layan.Features.Tickets.Sla;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Web;

namespace Layan.Features.Tickets;

/// <summary>
/// <c>/api/v1/workspaces/{id}/tickets|settings/tickets|sla</c>: TKT-1..6. Same gate as every
/// workspace endpoint: not a member → 404, a role without the action → 403; a ticket, calendar
/// or policy of another workspace → 404.
/// </summary>
internal static class TicketEndpoints
{
    internal sealed record TicketBody(
        string? Subject, string? Description, string? Status, string? Priority, int? Severity, Guid? AssigneeId, bool? Unassign,
        Guid? DepartmentId, IReadOnlyList<Guid>? LabelIds, Guid? ConversationId, Guid? PolicyId)
    {
        public TicketInput ToInput() => new(Subject, Description, Status, Priority, Severity, AssigneeId, Unassign ?? false, DepartmentId, LabelIds, ConversationId, PolicyId);
    }

    internal sealed record CommentBody(string? Body, bool Public);

    internal sealed record LinkBody(Guid ConversationId);

    internal sealed record BlacklistBody(string? Value);

    internal sealed record CalendarBody(string? Name, SlaPreviewCalendar? Calendar);

    internal sealed record OrderBody(IReadOnlyList<Guid>? Ids);

    internal sealed record DepartmentCalendarBody(Guid? CalendarId);

    public static void MapTicketEndpoints(this WebApplication app)
    {
        var workspace = app.MapApiGroup("workspaces", "Tickets").RequireAuthorization().MapGroup("/{id:guid}");
        workspace.MapGet("/tickets", ListAsync).WithSummary("Tickets: `status` (a status or `active`), `priority`, `assignee` (me, none, a user id), `breached`, `q` (number or subject), `page` (X-2).");
        workspace.MapPost("/tickets", CreateAsync).WithSummary("`{subject, description, status, priority, severity, assigneeId, departmentId, labelIds, conversationId, policyId}` (needs the Ticket feature).");
        workspace.MapGet("/tickets/views", ViewsAsync).WithSummary("My saved ticket views, then the workspace's shared ones.");
        workspace.MapPost("/tickets/views", SaveViewAsync).WithSummary("`{name, status, priority, assignee, breached, search, shared}`: save a view (mine alone, or shared with the workspace by those who manage tickets).");
        workspace.MapDelete("/tickets/views/{viewId:guid}", DeleteViewAsync).WithSummary("Delete one of my views, or a shared one (those who manage tickets).");
        workspace.MapPost("/tickets/bulk", BulkAsync).WithSummary("`{numbers, status, priority, assigneeId, unassign}`: change up to 100 tickets; answers `{changed, failed: [{number, code}]}`.");
        workspace.MapGet("/tickets/{number:long}", DetailAsync).WithSummary("One ticket by number: fields, links, SLA clocks, timeline.");
        workspace.MapPatch("/tickets/{number:long}", UpdateAsync).WithSummary("Change any of the fields (`unassign: true` clears the assignee); TKT-4 decides who may.");
        workspace.MapPost("/tickets/{number:long}/comments", CommentAsync).WithSummary("`{body, public}`: a public answer (meets response targets) or an internal note.");
        workspace.MapPost("/tickets/{number:long}/links", LinkAsync).WithSummary("`{conversationId}`: link a conversation.");
        workspace.MapGet("/settings/tickets", SettingsAsync).WithSummary("Prefix, Converse as Ticket (chosen and in effect), Autoclosed Inbound as Ticket, Ticket Access.");
        workspace.MapPut("/settings/tickets", SetSettingsAsync).WithSummary("`{prefix, inboundAsTicket, autoCloseBlacklisted, editInProgressRoles, editResolvedRoles}` (needs the Ticket feature).");
        workspace.MapGet("/settings/tickets/blacklist", BlacklistAsync).WithSummary("TKT-5: the blacklisted emails and phone numbers.");
        workspace.MapPost("/settings/tickets/blacklist", AddBlacklistAsync).WithSummary("`{value}`: an email or a phone number (normalized).");
        workspace.MapDelete("/settings/tickets/blacklist/{entryId:guid}", RemoveBlacklistAsync).WithSummary("Remove one.");
        workspace.MapGet("/settings/tickets/rules", RulesAsync).WithSummary("TKT-3: the rules for inbound messages, in order.");
        workspace.MapPost("/settings/tickets/rules", CreateRuleAsync).WithSummary("`{name, enabled, conditions: {channel, keywords, contact, departmentId, inBusinessHours, calendarId}, actions: {priority, severity, labelId, departmentId, assigneeId, createTicket}}`.");
        workspace.MapPut("/settings/tickets/rules/{ruleId:guid}", UpdateRuleAsync).WithSummary("Change a rule.");
        workspace.MapDelete("/settings/tickets/rules/{ruleId:guid}", DeleteRuleAsync).WithSummary("Delete a rule.");
        workspace.MapPut("/settings/tickets/rules-order", OrderRulesAsync).WithSummary("`{ids}`: every rule, in the order they run.");
        workspace.MapPost("/settings/tickets/rules/test", TestRulesAsync).WithSummary("`{channel, text, email, phone, departmentId, at}` → which rules would fire and what they would do.");
        workspace.MapGet("/sla/calendars", CalendarsAsync).WithSummary("Business calendars.");
        workspace.MapPost("/sla/calendars", CreateCalendarAsync).WithSummary("`{name, calendar: {timeZone, hours, holidays}}`.");
        workspace.MapPut("/sla/calendars/{calendarId:guid}", UpdateCalendarAsync).WithSummary("Change one; open tickets' deadlines are counted again.");
        workspace.MapDelete("/sla/calendars/{calendarId:guid}", DeleteCalendarAsync).WithSummary("Delete one no policy uses.");
        workspace.MapGet("/sla/department-calendars", DepartmentCalendarsAsync).WithSummary("Departments that count business time on a calendar of their own: `[{departmentId, calendarId}]`.");
        workspace.MapPut("/sla/department-calendars/{departmentId:guid}", SetDepartmentCalendarAsync).WithSummary("`{calendarId}` (null: the policy's calendar again); open tickets' deadlines are counted again.");
        workspace.MapGet("/sla/policies", PoliciesAsync).WithSummary("SLA policies.");
        workspace.MapPost("/sla/policies", CreatePolicyAsync).WithSummary("`{name, calendarId, targets: [{target, severity, priority, amount, unit}], warnMinutes, pausedWhilePending, isDefault}`.");
        workspace.MapPut("/sla/policies/{policyId:guid}", UpdatePolicyAsync).WithSummary("Change one; open tickets' deadlines are counted again.");
        workspace.MapGet("/sla/template", (HttpContext http, Guid id) =>
            Allowed(http, id, WorkspaceActions.ManageTickets, _ => Task.FromResult<Result<IReadOnlyList<PolicyTarget>>?>(Result<IReadOnlyList<PolicyTarget>>.From(SlaSetup.CareTemplate))))
            .WithSummary("The CARE targets (PRODUCT.md CARE-4, CARE-5) as policy lines.");
    }

    /// <summary>The HTTP status of a ticket failure (docs/api.md lists it per code).</summary>
    internal static int StatusOf(Failure failure) => failure.Code switch
    {
        WorkspaceErrors.Forbidden or TicketErrors.AccessDenied or TicketErrors.ViewShareDenied => StatusCodes.Status403Forbidden,
        TicketErrors.FeatureRequired => StatusCodes.Status402PaymentRequired,
        TicketErrors.Changed or TicketErrors.BlacklistDuplicate or TicketErrors.ViewNameTaken or SlaSetupErrors.NameTaken or SlaSetupErrors.CalendarInUse or RuleErrors.LimitReached => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    private static Task<IResult> Allowed<T>(HttpContext http, Guid id, string action, Func<WorkspaceMembership, Task<Result<T>?>> work) =>
        WorkspaceEndpoints.AllowedAsync<T, TicketsResource>(http, id, action, StatusOf, work);

    private static Task<IResult> Use<T>(HttpContext http, Guid id, Func<WorkspaceMembership, Task<Result<T>?>> work) =>
        Allowed(http, id, WorkspaceActions.UseTickets, work);

    private static Task<IResult> Manage<T>(HttpContext http, Guid id, Func<WorkspaceMembership, Task<Result<T>?>> work) =>
        Allowed(http, id, WorkspaceActions.ManageTickets, work);

    private static Task<IResult> ListAsync(Guid id, Tickets tickets, HttpContext http, string? status = null, string? priority = null, string? assignee = null, bool breached = false, string? q = null, int page = 1) =>
        Use(http, id, async access => (Result<TicketList>?)await tickets.ListAsync(access, new TicketFilter(status, priority, assignee, breached, q, page), http.RequestAborted));

    private static Task<IResult> CreateAsync(Guid id, TicketBody body, Tickets tickets, HttpContext http) =>
        Use(http, id, async access => (Result<TicketDetail>?)await tickets.CreateAsync(access, body.ToInput(), http.RequestAborted));

    private static Task<IResult> DetailAsync(Guid id, long number, Tickets tickets, HttpContext http) =>
        Use(http, id, async access => await tickets.DetailAsync(access, number, http.RequestAborted) is { } detail ? (Result<TicketDetail>?)detail : null);

    private static Task<IResult> UpdateAsync(Guid id, long number, TicketBody body, Tickets tickets, HttpContext http) =>
        Use(http, id, access => tickets.UpdateAsync(access, number, body.ToInput(), http.RequestAborted));

    private static Task<IResult> CommentAsync(Guid id, long number, CommentBody body, Tickets tickets, HttpContext http) =>
        Use(http, id, access => tickets.CommentAsync(access, number, body.Body, body.Public, http.RequestAborted));

    private static Task<IResult> LinkAsync(Guid id, long number, LinkBody body, Tickets tickets, HttpContext http) =>
        Use(http, id, access => tickets.LinkAsync(access, number, body.ConversationId, http.RequestAborted));

    private static Task<IResult> ViewsAsync(Guid id, TicketViews views, HttpContext http) =>
        Use(http, id, async access => (Result<IReadOnlyList<TicketViewItem>>?)Result<IReadOnlyList<TicketViewItem>>.From(await views.ListAsync(access, http.RequestAborted)));

    private static Task<IResult> SaveViewAsync(Guid id, ViewInput body, TicketViews views, HttpContext http) =>
        Use(http, id, async access => (Result<TicketViewItem>?)await views.SaveAsync(access, body, http.RequestAborted));

    private static Task<IResult> DeleteViewAsync(Guid id, Guid viewId, TicketViews views, HttpContext http) =>
        Use(http, id, async access => await views.DeleteAsync(access, viewId, http.RequestAborted));

    private static Task<IResult> BulkAsync(Guid id, BulkInput body, TicketViews views, HttpContext http) =>
        Use(http, id, async access => (Result<BulkResult>?)await views.BulkAsync(access, body, http.RequestAborted));

    private static Task<IResult> SettingsAsync(Guid id, TicketSettingsService settings, HttpContext http) =>
        Use(http, id, async access => (Result<TicketRules>?)await settings.GetAsync(access, http.RequestAborted));

    private static Task<IResult> SetSettingsAsync(Guid id, TicketSettingsInput body, TicketSettingsService settings, HttpContext http) =>
        Manage(http, id, async access => (Result<TicketRules>?)await settings.UpdateAsync(access, body, http.RequestAborted));

    private static Task<IResult> BlacklistAsync(Guid id, TicketSettingsService settings, HttpContext http) =>
        Manage(http, id, async access => (Result<IReadOnlyList<BlacklistItem>>?)Result<IReadOnlyList<BlacklistItem>>.From(await settings.BlacklistAsync(access, http.RequestAborted)));

    private static Task<IResult> AddBlacklistAsync(Guid id, BlacklistBody body, TicketSettingsService settings, HttpContext http) =>
        Manage(http, id, async access => (Result<BlacklistItem>?)await settings.AddToBlacklistAsync(access, body.Value, http.RequestAborted));

    private static Task<IResult> RemoveBlacklistAsync(Guid id, Guid entryId, TicketSettingsService settings, HttpContext http) =>
        Manage(http, id, async access => await settings.RemoveFromBlacklistAsync(access, entryId, http.RequestAborted) ? (Result<bool>?)true : null);

    private static Task<IResult> RulesAsync(Guid id, InboundRules rules, HttpContext http) =>
        Manage(http, id, async access => (Result<IReadOnlyList<RuleItem>>?)Result<IReadOnlyList<RuleItem>>.From(await rules.ListAsync(access, http.RequestAborted)));

    private static Task<IResult> CreateRuleAsync(Guid id, RuleInput body, InboundRules rules, HttpContext http) =>
        Manage(http, id, access => rules.SaveAsync(access, null, body, http.RequestAborted));

    private static Task<IResult> UpdateRuleAsync(Guid id, Guid ruleId, RuleInput body, InboundRules rules, HttpContext http) =>
        Manage(http, id, access => rules.SaveAsync(access, ruleId, body, http.RequestAborted));

    private static Task<IResult> DeleteRuleAsync(Guid id, Guid ruleId, InboundRules rules, HttpContext http) =>
        Manage(http, id, async access => await rules.DeleteAsync(access, ruleId, http.RequestAborted) ? (Result<bool>?)true : null);

    private static Task<IResult> OrderRulesAsync(Guid id, OrderBody body, InboundRules rules, HttpContext http) =>
        Manage(http, id, async access => (Result<IReadOnlyList<RuleItem>>?)await rules.OrderAsync(access, body.Ids, http.RequestAborted));

    private static Task<IResult> TestRulesAsync(Guid id, RuleTestInput body, InboundRules rules, HttpContext http) =>
        Manage(http, id, async access => (Result<RuleTestResult>?)await rules.TestAsync(access, body, http.RequestAborted));

    private static Task<IResult> CalendarsAsync(Guid id, SlaSetup setup, HttpContext http) =>
        Use(http, id, async access => (Result<IReadOnlyList<CalendarItem>>?)Result<IReadOnlyList<CalendarItem>>.From(await setup.CalendarsAsync(access, http.RequestAborted)));

    private static Task<IResult> CreateCalendarAsync(Guid id, CalendarBody body, SlaSetup setup, HttpContext http) =>
        Manage(http, id, access => setup.SaveCalendarAsync(access, null, body.Name, body.Calendar, http.RequestAborted));

    private static Task<IResult> UpdateCalendarAsync(Guid id, Guid calendarId, CalendarBody body, SlaSetup setup, HttpContext http) =>
        Manage(http, id, access => setup.SaveCalendarAsync(access, calendarId, body.Name, body.Calendar, http.RequestAborted));

    private static Task<IResult> DeleteCalendarAsync(Guid id, Guid calendarId, SlaSetup setup, HttpContext http) =>
        Manage(http, id, access => setup.DeleteCalendarAsync(access, calendarId, http.RequestAborted));

    private static Task<IResult> DepartmentCalendarsAsync(Guid id, SlaSetup setup, HttpContext http) =>
        Use(http, id, async access => (Result<IReadOnlyList<DepartmentCalendarItem>>?)Result<IReadOnlyList<DepartmentCalendarItem>>.From(await setup.DepartmentCalendarsAsync(access, http.RequestAborted)));

    private static Task<IResult> SetDepartmentCalendarAsync(Guid id, Guid departmentId, DepartmentCalendarBody body, SlaSetup setup, HttpContext http) =>
        Manage(http, id, access => setup.SetDepartmentCalendarAsync(access, departmentId, body.CalendarId, http.RequestAborted));

    private static Task<IResult> PoliciesAsync(Guid id, SlaSetup setup, HttpContext http) =>
        Use(http, id, async access => (Result<IReadOnlyList<PolicyItem>>?)Result<IReadOnlyList<PolicyItem>>.From(await setup.PoliciesAsync(access, http.RequestAborted)));

    private static Task<IResult> CreatePolicyAsync(Guid id, PolicyInput body, SlaSetup setup, HttpContext http) =>
        Manage(http, id, access => setup.SavePolicyAsync(access, null, body, http.RequestAborted));

    private static Task<IResult> UpdatePolicyAsync(Guid id, Guid policyId, PolicyInput body, SlaSetup setup, HttpContext http) =>
        Manage(http, id, access => setup.SavePolicyAsync(access, policyId, body, http.RequestAborted));
}

internal static class TicketsModule
{
    public static WebApplicationBuilder AddTickets(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<TicketSettingsService>();
        services.AddScoped<Tickets>();
        services.AddScoped<TicketViews>();
        services.AddScoped<SlaEngine>();
        services.AddScoped<SlaSetup>();
        services.AddScoped<InboundRules>();
        services.AddScoped<Inbox.IConversationHook, TicketInbound>();
        services.AddScoped<Infrastructure.Work.IWorkHandler<Infrastructure.Jobs.DueWork>>(s => new SlaNoticeHandler(s.GetRequiredService<SlaEngine>(), SlaEngine.WarningKind));
        services.AddScoped<Infrastructure.Work.IWorkHandler<Infrastructure.Jobs.DueWork>>(s => new SlaNoticeHandler(s.GetRequiredService<SlaEngine>(), SlaEngine.BreachKind));
        return builder;
    }

    public static WebApplication MapTickets(this WebApplication app)
    {
        app.MapTicketEndpoints();
        app.MapSla();
        return app;
    }
}
