using System.Net.WebSockets;
using System.Text.Json;
using Layan.Features.Realtime;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Inbox;

/// <summary>
/// <c>/api/v1/widget/{workspaceId}/…</c>: the visitor's side of web chat (HLP-4), anonymous and
/// rate-limited. A chat is started once; after that the visitor proves it is theirs with the
/// token they got (header <c>X-Visitor-Token</c>, or the first WebSocket frame), which only ever
/// opens that one conversation. The protocol is docs/widget.md.
/// </summary>
internal static class WidgetEndpoints
{
    public const string TokenHeader = "X-Visitor-Token";

    /// <summary>The widget runs on the customers' own sites: any origin may call it, without cookies.</summary>
    public const string CorsPolicy = "widget";

    public static void AddWidgetCors(this IServiceCollection services) =>
        services.AddCors(options => options.AddPolicy(CorsPolicy, policy => policy.AllowAnyOrigin()
            .WithHeaders(TokenHeader, "Content-Type", "Accept-Language").WithMethods("GET", "POST").WithExposedHeaders("Retry-After")));

    internal sealed record StartBody(string? Name, string? Email, Guid? DepartmentId, string? Message, string? IdentityHash, bool Offline);

    internal sealed record MessageBody(string? Body);

    internal sealed record DepartmentOption(Guid Id, string Name);

    internal sealed record WidgetConfig(
        string Workspace, bool Online, bool AskName, bool AskEmail, bool AskDepartment, IReadOnlyList<DepartmentOption> Departments,
        bool IdentityVerification, long MaxAttachmentBytes);

    internal sealed record VisitorView(Guid ConversationId, string Status, string? AgentName, IReadOnlyList<MessageItem> Messages, QueueInfo? Queue, long LastSequence);

    private static readonly string[] VisitorEvents = ["message.created", "conversation.assigned", "conversation.updated", "message.read", "typing"];

    public static void MapWidgetEndpoints(this WebApplication app)
    {
        var widget = app.MapApiGroup("widget", "Widget").AllowAnonymous().RequireRateLimiting(RateLimits.Widget).RequireCors(CorsPolicy).MapGroup("/{workspaceId:guid}");
        widget.MapGet("/config", ConfigAsync).WithSummary("What the widget shows: the workspace, whether anyone is online, the pre-chat fields, the departments.");
        widget.MapPost("/conversations", StartAsync).WithSummary("Start a chat (or leave a message with `offline: true`); answers the visitor token, once.");
        widget.MapGet("/conversation", ViewAsync).WithSummary("The visitor's conversation: messages (no notes), status, agent, ★ queue position and estimated wait.");
        widget.MapPost("/messages", MessageAsync).WithSummary("`{body}`: the visitor writes.");
        widget.MapPost("/attachments", AttachAsync).WithSummary("Multipart `file`: an image or PDF up to 10 MB.").DisableAntiforgery().WithAttachmentLimit(app);
        widget.MapGet("/attachments/{messageId:guid}", DownloadAsync).WithSummary("An attachment of the visitor's conversation.");
        widget.MapPost("/typing", TypingAsync).WithSummary("The visitor is typing.");
        widget.MapPost("/read", ReadAsync).WithSummary("The visitor has seen the agent's messages (read receipts).");
        widget.MapGet("/events", EventsAsync).WithSummary("Long poll (the WebSocket's fallback): the conversation's events after `after`, waiting up to `wait` seconds.");
        widget.MapGet("/live", LiveAsync).WithSummary("WebSocket: send `{\"type\":\"hello\",\"token\":…,\"after\":n}` first; then batches of the conversation's events.");
    }

    /// <summary>The server stops reading an upload past the attachment limit (and a little for the form around it).</summary>
    internal static RouteHandlerBuilder WithAttachmentLimit(this RouteHandlerBuilder endpoint, WebApplication app) =>
        endpoint.WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(app.Services.GetRequiredService<IOptions<InboxOptions>>().Value.MaxAttachmentBytes + 64 * 1024));

    private static async Task<Workspace?> EnterAsync(Guid workspaceId, HttpContext http)
    {
        var services = http.RequestServices;
        var workspace = await services.GetRequiredService<LayanDbContext>().Set<Workspace>()
            .SingleOrDefaultAsync(w => w.Id == workspaceId && w.Status == WorkspaceStatus.Active, http.RequestAborted);
        if (workspace is not null)
        {
            services.GetRequiredService<TenantContext>().Enter(workspace.Id);
        }
        return workspace;
    }

    /// <summary>The visitor's conversation in the workspace named by the path, by their token; else null (answered 404).</summary>
    private static async Task<Conversation?> VisitorAsync(Guid workspaceId, HttpContext http, string? token = null)
    {
        if (await EnterAsync(workspaceId, http) is null)
        {
            return null;
        }
        token ??= http.Request.Headers[TokenHeader].ToString();
        return await http.RequestServices.GetRequiredService<Conversations>().ByVisitorTokenAsync(token, http.RequestAborted);
    }

    private static IResult Problem(Result<MessageItem> result, HttpContext http) =>
        result.Succeeded
            ? TypedResults.Ok(result.Value)
            : result.Errors.ToProblem(InboxEndpoints.StatusOf(result.Errors[0]), http.RequestServices.GetRequiredService<IStringLocalizer<InboxResource>>(), http);

    private static async Task<IResult> ConfigAsync(Guid workspaceId, LayanDbContext db, IOptions<InboxOptions> options, TimeProvider clock, HttpContext http)
    {
        if (await EnterAsync(workspaceId, http) is not { } workspace)
        {
            return TypedResults.NotFound();
        }
        var since = clock.GetUtcNow() - options.Value.PresenceGrace;
        var online = await db.Set<AgentState>().AnyAsync(a => a.Presence == PresenceStatus.Online && a.LastSeenAt >= since, http.RequestAborted);
        var departments = await db.Set<Department>().Where(d => !d.Revoked).OrderByDescending(d => d.IsDefault).ThenBy(d => d.Name)
            .Select(d => new DepartmentOption(d.Id, d.Name)).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(new WidgetConfig(workspace.Name, online, workspace.WidgetAskName, workspace.WidgetAskEmail, workspace.WidgetAskDepartment,
            departments, workspace.WidgetSecret is not null, options.Value.MaxAttachmentBytes));
    }

    private static async Task<IResult> StartAsync(Guid workspaceId, StartBody body, Conversations conversations, IStringLocalizer<InboxResource> strings, HttpContext http)
    {
        if (await EnterAsync(workspaceId, http) is not { } workspace)
        {
            return TypedResults.NotFound();
        }
        var result = await conversations.StartAsync(workspace, new StartChat(body.Name, body.Email, body.DepartmentId, body.Message, body.IdentityHash), null, body.Offline, http.RequestAborted);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Errors.ToProblem(InboxEndpoints.StatusOf(result.Errors[0]), strings, http);
    }

    private static async Task<IResult> ViewAsync(Guid workspaceId, InboxQueries queries, LayanDbContext db, EventLog events, HttpContext http)
    {
        if (await VisitorAsync(workspaceId, http) is not { } conversation)
        {
            return TypedResults.NotFound();
        }
        // The number first: a message committed meanwhile is then in the answer, the stream, or both (the widget drops duplicates by id).
        var last = await events.LastAsync(workspaceId, http.RequestAborted);
        var messages = await queries.Messages(conversation.Id, publicOnly: true).ToListAsync(http.RequestAborted);
        var agent = conversation.AssigneeId is { } assignee ? await db.Users.Where(u => u.Id == assignee).Select(u => u.FullName).SingleOrDefaultAsync(http.RequestAborted) : null;
        return TypedResults.Ok(new VisitorView(conversation.Id, conversation.Status, agent, messages, await queries.QueueAsync(conversation, http.RequestAborted), last));
    }

    private static async Task<IResult> MessageAsync(Guid workspaceId, MessageBody body, Conversations conversations, HttpContext http)
    {
        if (await VisitorAsync(workspaceId, http) is not { } conversation)
        {
            return TypedResults.NotFound();
        }
        return Problem(await conversations.VisitorMessageAsync(conversation, body.Body, null, http.RequestAborted), http);
    }

    private static async Task<IResult> AttachAsync(Guid workspaceId, IFormFile? file, Conversations conversations, HttpContext http)
    {
        if (await VisitorAsync(workspaceId, http) is not { } conversation)
        {
            return TypedResults.NotFound();
        }
        if (file is null)
        {
            return Problem(new Failure(InboxErrors.AttachmentInvalid, "file"), http);
        }
        var stored = await conversations.StoreAsync(file, http.RequestAborted);
        return Problem(stored.Succeeded ? await conversations.VisitorMessageAsync(conversation, null, stored.Value, http.RequestAborted) : stored.Errors[0], http);
    }

    private static async Task<IResult> DownloadAsync(Guid workspaceId, Guid messageId, LayanDbContext db, IFileStore files, HttpContext http)
    {
        if (await VisitorAsync(workspaceId, http) is not { } conversation)
        {
            return TypedResults.NotFound();
        }
        var message = await db.Set<Message>().SingleOrDefaultAsync(
            m => m.Id == messageId && m.ConversationId == conversation.Id && m.AttachmentKey != null && m.Kind != MessageKinds.Note, http.RequestAborted);
        return message is null ? TypedResults.NotFound() : InboxEndpoints.AttachmentFile(message, files);
    }

    private static async Task<IResult> TypingAsync(Guid workspaceId, Conversations conversations, HttpContext http)
    {
        if (await VisitorAsync(workspaceId, http) is not { } conversation)
        {
            return TypedResults.NotFound();
        }
        await conversations.TypingAsync(conversation, "customer", null, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ReadAsync(Guid workspaceId, Conversations conversations, HttpContext http)
    {
        if (await VisitorAsync(workspaceId, http) is not { } conversation)
        {
            return TypedResults.NotFound();
        }
        await conversations.MarkReadAsync(conversation, byCustomer: true, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> EventsAsync(Guid workspaceId, EventLog log, HttpContext http, long after = 0, int wait = 0)
    {
        if (await VisitorAsync(workspaceId, http) is not { } conversation)
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Ok(await log.WaitAsync(workspaceId, Math.Max(after, conversation.StartSequence - 1), TimeSpan.FromSeconds(Math.Clamp(wait, 0, 25)), ForVisitor(conversation.Id), http.RequestAborted));
    }

    private static async Task<IResult> LiveAsync(Guid workspaceId, EventLog log, HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.BadRequest();
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        try
        {
            var hello = await ReadHelloAsync(socket, http.RequestAborted);
            if (hello is null || await VisitorAsync(workspaceId, http, hello.Token ?? "") is not { } conversation)
            {
                await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "unknown conversation", http.RequestAborted);
                return TypedResults.Empty;
            }
            await log.StreamAsync(socket, workspaceId, Math.Max(hello.After, conversation.StartSequence - 1), ForVisitor(conversation.Id), http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // the visitor went away; the widget reconnects with its last number
        }
        return TypedResults.Empty;
    }

    internal sealed record Hello(string? Type, string? Token, long After);

    /// <summary>The first frame, within 10 seconds and 1 KB, or nothing.</summary>
    private static async Task<Hello?> ReadHelloAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        if (received.MessageType != WebSocketMessageType.Text || !received.EndOfMessage)
        {
            return null;
        }
        try
        {
            var hello = JsonSerializer.Deserialize<Hello>(buffer.AsSpan(0, received.Count), JsonSerializerOptions.Web);
            return hello is { Type: "hello" } ? hello : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// What the visitor may see of the workspace's stream: their conversation's public events (no
    /// notes, no mentions, not their own typing or reading), reshaped to what the widget shows, so no
    /// internal id (agents', departments', labels') leaves the workspace.
    /// </summary>
    private static Func<EventFrame, EventFrame?> ForVisitor(Guid conversationId) => frame =>
    {
        if (!VisitorEvents.Contains(frame.Type) || !frame.Data.TryGetProperty("conversationId", out var id) || id.GetString() != conversationId.ToString())
        {
            return null;
        }
        var data = frame.Data;
        object? shown = frame.Type switch
        {
            "message.created" when data.GetProperty("kind").GetString() != MessageKinds.Note => new
            {
                conversationId,
                id = data.GetProperty("id"),
                kind = data.GetProperty("kind"),
                authorName = data.GetProperty("authorName"),
                body = data.GetProperty("body"),
                attachmentName = data.GetProperty("attachmentName"),
                attachmentType = data.GetProperty("attachmentType"),
                attachmentSize = data.GetProperty("attachmentSize"),
                at = data.GetProperty("at"),
                readAt = data.GetProperty("readAt"),
            },
            "conversation.assigned" => new { conversationId, assigned = data.GetProperty("assigneeId").ValueKind == JsonValueKind.String, assigneeName = data.GetProperty("assigneeName") },
            "conversation.updated" => new { conversationId, status = data.GetProperty("status") },
            "message.read" when data.GetProperty("reader").GetString() == "agent" => new { conversationId, reader = "agent", upTo = data.GetProperty("upTo") },
            "typing" when data.GetProperty("who").GetString() == "agent" => new { conversationId, who = "agent", name = data.GetProperty("name") },
            _ => null,
        };
        return shown is null ? null : frame with { Data = JsonSerializer.SerializeToElement(shown, JsonSerializerOptions.Web) };
    };
}
