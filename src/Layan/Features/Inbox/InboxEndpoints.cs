using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Inbox;

/// <summary>
/// <c>/api/v1/workspaces/{id}/conversations|presence|agents|settings/inbox</c>: the agent side of
/// the inbox. Same gate as every workspace endpoint: not a member → 404, a role without the
/// action → 403, a conversation the member may not see → 404.
/// </summary>
internal static class InboxEndpoints
{
    internal sealed record ReplyBody(string? Body, bool Note);

    internal sealed record AssigneeBody(Guid? UserId);

    internal sealed record DepartmentBody(Guid DepartmentId);

    internal sealed record StatusBody(string? Status, DateTimeOffset? SnoozedUntil);

    internal sealed record LabelsBody(IReadOnlyList<Guid>? LabelIds);

    internal sealed record PresenceBody(string? Presence);

    internal sealed record HeartbeatBody(int IdleSeconds);

    internal sealed record CapacityBody(int? Capacity);

    internal sealed record SecretAnswer(string Secret);

    public static void MapInboxEndpoints(this WebApplication app)
    {
        var workspace = app.MapApiGroup("workspaces", "Inbox").RequireAuthorization().MapGroup("/{id:guid}");
        workspace.MapGet("/conversations", ListAsync).WithSummary("The inbox: `view` (mine, unassigned, all), `department`, `label`, `status` (default open), `q` (contact or text), `page`; with counts (X-2).");
        workspace.MapGet("/conversations/{conversationId:guid}", DetailAsync).WithSummary("One conversation: messages, notes, labels, contact and their history (INB-5), queue place, routing decisions (Supervisors).");
        workspace.MapPost("/conversations/{conversationId:guid}/messages", ReplyAsync).WithSummary("`{body, note}`: a public reply, or a private note where `@name` mentions a colleague.");
        workspace.MapPost("/conversations/{conversationId:guid}/attachments", AttachAsync).WithSummary("Multipart `file` (image or PDF, ≤ 10 MB), optional `body` and `note`.").DisableAntiforgery().WithAttachmentLimit(app);
        workspace.MapGet("/conversations/{conversationId:guid}/attachments/{messageId:guid}", DownloadAsync).WithSummary("An attachment's bytes.");
        workspace.MapPost("/conversations/{conversationId:guid}/take", TakeAsync).WithSummary("Take an unassigned conversation (within capacity).");
        workspace.MapPut("/conversations/{conversationId:guid}/assignee", AssignAsync).WithSummary("`{userId}`: transfer to an agent (null: back to the queue) (INB-6).");
        workspace.MapPut("/conversations/{conversationId:guid}/department", TransferAsync).WithSummary("`{departmentId}`: transfer to a department's queue (INB-6).");
        workspace.MapPut("/conversations/{conversationId:guid}/status", StatusAsync).WithSummary("`{status, snoozedUntil}`: open, pending, snoozed (until), resolved.");
        workspace.MapPut("/conversations/{conversationId:guid}/labels", LabelsAsync).WithSummary("`{labelIds}`: the conversation's labels (Revoked ones cannot be added).");
        workspace.MapPost("/conversations/{conversationId:guid}/read", ReadAsync).WithSummary("The agent has read the customer's messages (read receipts).");
        workspace.MapPost("/conversations/{conversationId:guid}/typing", TypingAsync).WithSummary("The agent is typing (shown in the widget).");
        workspace.MapGet("/presence", PresenceAsync).WithSummary("My presence, capacity, load and notification preferences.");
        workspace.MapPut("/presence", SetPresenceAsync).WithSummary("`{presence}`: online, away or offline.");
        workspace.MapPost("/presence/heartbeat", HeartbeatAsync).WithSummary("`{idleSeconds}`: the open inbox keeps me online; idle past the setting makes me away.");
        workspace.MapPut("/presence/preferences", PreferencesAsync).WithSummary("NOT-1: `{soundOnMessage, soundOnAssignment, browserNotifications, emailOnAssignment, emailOnMention, emailOnSlaWarning?, emailOnSlaBreach?}`.");
        workspace.MapPut("/agents/{userId:guid}/capacity", CapacityAsync).WithSummary("`{capacity}`: an agent's capacity (null: the default) (Supervisors).");
        workspace.MapGet("/settings/inbox", InboxSettingsAsync).WithSummary("Default capacity, reassign-after and away-after minutes, the widget's pre-chat fields.");
        workspace.MapPut("/settings/inbox", SetInboxSettingsAsync).WithSummary("Set them (Supervisors).");
        workspace.MapPost("/settings/widget-secret", RotateSecretAsync).WithSummary("A new identity-verification secret for the widget, shown once (Administrators).");
    }

    /// <summary>The HTTP status of an inbox failure (docs/api.md lists it per code).</summary>
    internal static int StatusOf(Failure failure) => failure.Code switch
    {
        WorkspaceErrors.Forbidden => StatusCodes.Status403Forbidden,
        InboxErrors.AgentAtCapacity or InboxErrors.Changed or InboxErrors.DepartmentRevoked => StatusCodes.Status409Conflict,
        InboxErrors.AttachmentTooLarge => StatusCodes.Status413PayloadTooLarge,
        // A reply over a provider channel the channel refuses (CH-1).
        Channels.ChannelErrors.Disabled or Channels.ChannelErrors.WindowClosed => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    private static Task<IResult> Allowed<T>(HttpContext http, Guid id, string action, Func<WorkspaceMembership, Task<Result<T>?>> work) =>
        WorkspaceEndpoints.AllowedAsync<T, InboxResource>(http, id, action, StatusOf, work);

    private static Task<IResult> Inbox<T>(HttpContext http, Guid id, Func<WorkspaceMembership, Task<Result<T>?>> work) =>
        Allowed(http, id, WorkspaceActions.UseInbox, work);

    private static Task<IResult> ListAsync(Guid id, InboxQueries queries, HttpContext http, string? view = null, Guid? department = null, Guid? label = null, string? status = null, string? q = null, int page = 1) =>
        Inbox(http, id, async access => (Result<InboxList>?)await queries.ListAsync(access, new InboxFilter(view, department, label, status, q, page), http.RequestAborted));

    private static Task<IResult> DetailAsync(Guid id, Guid conversationId, InboxQueries queries, HttpContext http) =>
        Inbox(http, id, async access => await queries.DetailAsync(access, conversationId, http.RequestAborted) is { } detail ? (Result<ConversationDetail>?)detail : null);

    private static Task<IResult> ReplyAsync(Guid id, Guid conversationId, ReplyBody body, Conversations conversations, HttpContext http) =>
        Inbox(http, id, access => conversations.ReplyAsync(access, conversationId, body.Body, body.Note, null, http.RequestAborted));

    private static Task<IResult> AttachAsync(Guid id, Guid conversationId, IFormFile? file, [Microsoft.AspNetCore.Mvc.FromForm] string? body, [Microsoft.AspNetCore.Mvc.FromForm] bool? note, Conversations conversations, HttpContext http) =>
        Inbox<MessageItem>(http, id, async access =>
        {
            if (await conversations.FindAsync(access, conversationId, http.RequestAborted) is null)
            {
                return null;
            }
            if (file is null)
            {
                return new Failure(InboxErrors.AttachmentInvalid, "file");
            }
            var stored = await conversations.StoreAsync(file, http.RequestAborted);
            return stored.Succeeded
                ? await conversations.ReplyAsync(access, conversationId, body, note ?? false, stored.Value, http.RequestAborted)
                : new Failure(stored.Errors[0].Code, "file");
        });

    private static async Task<IResult> DownloadAsync(Guid id, Guid conversationId, Guid messageId, Conversations conversations, Infrastructure.Db.LayanDbContext db, IFileStore files, HttpContext http)
    {
        Message? message = null;
        var result = await Inbox<bool>(http, id, async access =>
        {
            if (await conversations.FindAsync(access, conversationId, http.RequestAborted) is null)
            {
                return null;
            }
            message = await db.Set<Message>().SingleOrDefaultAsync(m => m.Id == messageId && m.ConversationId == conversationId && m.AttachmentKey != null, http.RequestAborted);
            return message is null ? null : (Result<bool>?)true;
        });
        return message is not null ? AttachmentFile(message, files) : result;
    }

    /// <summary>An attachment as a download (never rendered inline as the site's own content).</summary>
    internal static IResult AttachmentFile(Message message, IFileStore files) =>
        files.OpenRead(message.AttachmentKey!) is { } content
            ? TypedResults.File(content, message.AttachmentType, message.AttachmentName, enableRangeProcessing: false)
            : TypedResults.NotFound();

    private static Task<IResult> TakeAsync(Guid id, Guid conversationId, Conversations conversations, HttpContext http) =>
        Inbox(http, id, access => conversations.AssignAsync(access, conversationId, access.Member.UserId, http.RequestAborted));

    private static Task<IResult> AssignAsync(Guid id, Guid conversationId, AssigneeBody body, Conversations conversations, HttpContext http) =>
        Inbox(http, id, access => conversations.AssignAsync(access, conversationId, body.UserId, http.RequestAborted));

    private static Task<IResult> TransferAsync(Guid id, Guid conversationId, DepartmentBody body, Conversations conversations, HttpContext http) =>
        Inbox(http, id, access => conversations.TransferAsync(access, conversationId, body.DepartmentId, http.RequestAborted));

    private static Task<IResult> StatusAsync(Guid id, Guid conversationId, StatusBody body, Conversations conversations, HttpContext http) =>
        Inbox(http, id, access => conversations.SetStatusAsync(access, conversationId, body.Status, body.SnoozedUntil, http.RequestAborted));

    private static Task<IResult> LabelsAsync(Guid id, Guid conversationId, LabelsBody body, Conversations conversations, HttpContext http) =>
        Inbox(http, id, access => conversations.SetLabelsAsync(access, conversationId, body.LabelIds, http.RequestAborted));

    private static Task<IResult> ReadAsync(Guid id, Guid conversationId, Conversations conversations, HttpContext http) =>
        Inbox(http, id, async access =>
        {
            if (await conversations.FindAsync(access, conversationId, http.RequestAborted) is not { } conversation)
            {
                return null;
            }
            await conversations.MarkReadAsync(conversation, byCustomer: false, http.RequestAborted);
            return (Result<ConversationRef>?)new ConversationRef(conversationId);
        });

    private static Task<IResult> TypingAsync(Guid id, Guid conversationId, Conversations conversations, Infrastructure.Db.LayanDbContext db, HttpContext http) =>
        Inbox(http, id, async access =>
        {
            if (await conversations.FindAsync(access, conversationId, http.RequestAborted) is not { } conversation)
            {
                return null;
            }
            var name = await db.Users.Where(u => u.Id == access.Member.UserId).Select(u => u.FullName).SingleAsync(http.RequestAborted);
            await conversations.TypingAsync(conversation, "agent", name, http.RequestAborted);
            return (Result<ConversationRef>?)new ConversationRef(conversationId);
        });

    private static Task<IResult> PresenceAsync(Guid id, Presence presence, HttpContext http) =>
        Inbox(http, id, async access => (Result<AgentSettings>?)await presence.GetAsync(access, http.RequestAborted));

    private static Task<IResult> SetPresenceAsync(Guid id, PresenceBody body, Presence presence, HttpContext http) =>
        Inbox(http, id, async access => (Result<AgentSettings>?)await presence.SetAsync(access, body.Presence, http.RequestAborted));

    private static Task<IResult> HeartbeatAsync(Guid id, HeartbeatBody body, Presence presence, HttpContext http) =>
        Inbox(http, id, async access => (Result<AgentSettings>?)await presence.HeartbeatAsync(access, Math.Max(0, body.IdleSeconds), http.RequestAborted));

    private static Task<IResult> PreferencesAsync(Guid id, NotificationPreferences body, Presence presence, HttpContext http) =>
        Inbox(http, id, async access => (Result<AgentSettings>?)await presence.SetPreferencesAsync(access, body, http.RequestAborted));

    private static Task<IResult> CapacityAsync(Guid id, Guid userId, CapacityBody body, Presence presence, HttpContext http) =>
        Allowed(http, id, WorkspaceActions.ManageRouting, access => presence.SetCapacityAsync(access, userId, body.Capacity, http.RequestAborted));

    private static Task<IResult> InboxSettingsAsync(Guid id, HttpContext http) =>
        Inbox(http, id, access => Task.FromResult<Result<InboxSettings>?>(Presence.InboxSettingsOf(access.Workspace)));

    private static Task<IResult> SetInboxSettingsAsync(Guid id, InboxSettings body, Presence presence, HttpContext http) =>
        Allowed(http, id, WorkspaceActions.ManageRouting, async access => (Result<InboxSettings>?)await presence.SetInboxSettingsAsync(access, body, http.RequestAborted));

    private static Task<IResult> RotateSecretAsync(Guid id, Presence presence, HttpContext http) =>
        Allowed(http, id, WorkspaceActions.ManageSettings, async access => (Result<SecretAnswer>?)new SecretAnswer(await presence.RotateWidgetSecretAsync(access, http.RequestAborted)));
}
