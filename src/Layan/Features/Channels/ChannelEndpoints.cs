using Layan.Features.Inbox;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Web;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Channels;

/// <summary>
/// <c>/api/v1/workspaces/{id}/channels</c> (Administrators: <c>channels.manage</c>) and the
/// channel side of a conversation (agents: templates, private replies, hiding comments). Same
/// gate as every workspace endpoint: not a member → 404, a role without the action → 403, a
/// channel or conversation of another workspace → 404.
/// </summary>
internal static class ChannelEndpoints
{
    internal sealed record ChannelBody(string? Kind, string? Name, string? ExternalId, Dictionary<string, string>? Credentials, Guid? DepartmentId, bool? Messages, bool? Comments);

    internal sealed record ChangeBody(string? Name, bool? Enabled, bool? IsDefault, bool? Messages, bool? Comments, Guid? DepartmentId, bool? MainDepartment, Dictionary<string, string>? Credentials);

    internal sealed record TemplateBody(string? Name, string? Language, IReadOnlyList<string>? Parameters);

    internal sealed record PrivateReplyBody(string? Body);

    public static void MapChannelEndpoints(this WebApplication app)
    {
        var workspace = app.MapApiGroup("workspaces", "Channels").RequireAuthorization().MapGroup("/{id:guid}");
        workspace.MapGet("/channels", (Guid id, ChannelSetup setup, HttpContext http) =>
            Manage(http, id, async _ => (Result<IReadOnlyList<ChannelItem>>?)Result<IReadOnlyList<ChannelItem>>.From(await setup.ListAsync(http.RequestAborted))))
            .WithSummary("The workspace's channels, with their webhook URLs and capabilities (credentials are never shown).");
        workspace.MapPost("/channels", (Guid id, ChannelBody body, ChannelSetup setup, HttpContext http) =>
            Manage(http, id, async access => (Result<CreatedChannel>?)await setup.CreateAsync(access, new ChannelInput(body.Kind, body.Name, body.ExternalId, body.Credentials, body.DepartmentId, body.Messages, body.Comments), http.RequestAborted)))
            .WithSummary("`{kind, name, externalId, credentials: {access_token, app_secret, verify_token | bot_token}, departmentId, messages, comments}`; answers the secrets Layan made up, once.");
        workspace.MapPatch("/channels/{channelId:guid}", (Guid id, Guid channelId, ChangeBody body, ChannelSetup setup, HttpContext http) =>
            Manage(http, id, access => setup.UpdateAsync(access, channelId, new ChannelChange(body.Name, body.Enabled, body.IsDefault, body.Messages, body.Comments, body.DepartmentId, body.MainDepartment, body.Credentials), http.RequestAborted)))
            .WithSummary("`{name, enabled, isDefault, messages, comments, departmentId, mainDepartment, credentials}`: change a channel (new credentials replace the old).");
        workspace.MapDelete("/channels/{channelId:guid}", (Guid id, Guid channelId, ChannelSetup setup, HttpContext http) =>
            Manage(http, id, access => setup.DeleteAsync(access, channelId, http.RequestAborted)))
            .WithSummary("Disconnect a channel; its conversations stay.");
        workspace.MapPost("/conversations/{conversationId:guid}/template", (Guid id, Guid conversationId, TemplateBody body, Conversations conversations, HttpContext http) =>
            Use(http, id, access => conversations.ReplyAsync(access, conversationId, TemplateText(body), note: false, null, http.RequestAborted,
                new ReplyOptions(body.Name?.Trim() ?? "", body.Language?.Trim(), body.Parameters))))
            .WithSummary("`{name, language, parameters}`: send an approved WhatsApp template (the only thing allowed outside the 24-hour window).");
        workspace.MapPost("/conversations/{conversationId:guid}/private-reply", (Guid id, Guid conversationId, PrivateReplyBody body, Conversations conversations, HttpContext http) =>
            Use(http, id, access => conversations.ReplyAsync(access, conversationId, body.Body, note: false, null, http.RequestAborted, new ReplyOptions(PrivateReply: true))))
            .WithSummary("`{body}`: answer a comment conversation in a direct message to its author.");
        workspace.MapPost("/conversations/{conversationId:guid}/messages/{messageId:guid}/hide", HideAsync)
            .WithSummary("Hide a customer's comment from the public (Facebook, Instagram).");
        // "Login with Facebook": to the OAuth dialog, back to /channels/facebook/callback (a page).
        app.MapGet("/channels/facebook/start/{id:guid}", async (Guid id, HttpContext http, WorkspaceAccess access, Facebook.FacebookConnect connect, Microsoft.AspNetCore.Identity.UserManager<Accounts.User> users) =>
            Accounts.MySecurity.UserId(http.User, users) is { } userId
            && await access.CheckAsync(userId, id, WorkspaceActions.ManageChannels, http.RequestAborted) is { Succeeded: true }
                ? Results.Redirect(connect.DialogUrl(id, userId))
                : Results.NotFound())
            .RequireAuthorization().ExcludeFromDescription();
    }

    /// <summary>The HTTP status of a channel failure (docs/api.md lists it per code).</summary>
    internal static int StatusOf(Failure failure) => failure.Code switch
    {
        WorkspaceErrors.Forbidden => StatusCodes.Status403Forbidden,
        ChannelErrors.QuotaExceeded => StatusCodes.Status402PaymentRequired,
        ChannelErrors.AccountTaken or ChannelErrors.DefaultsFull or ChannelErrors.Disabled or ChannelErrors.WindowClosed or InboxErrors.Changed => StatusCodes.Status409Conflict,
        ChannelErrors.CredentialsRejected => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };

    private static Task<IResult> Manage<T>(HttpContext http, Guid id, Func<WorkspaceMembership, Task<Result<T>?>> work) =>
        WorkspaceEndpoints.AllowedAsync<T, ChannelsResource>(http, id, WorkspaceActions.ManageChannels, StatusOf, work);

    private static Task<IResult> Use<T>(HttpContext http, Guid id, Func<WorkspaceMembership, Task<Result<T>?>> work) =>
        WorkspaceEndpoints.AllowedAsync<T, ChannelsResource>(http, id, WorkspaceActions.UseInbox, StatusOf, work);

    private static string TemplateText(TemplateBody body) =>
        $"[{body.Name?.Trim()}] {string.Join(" · ", body.Parameters ?? [])}".Trim();

    private static Task<IResult> HideAsync(Guid id, Guid conversationId, Guid messageId, Conversations conversations, HttpContext http) =>
        Use(http, id, access => conversations.HideCommentAsync(access, conversationId, messageId, http.RequestAborted));
}

internal static class ChannelsModule
{
    public const string HttpClientName = "channels";

    public static WebApplicationBuilder AddChannels(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ChannelOptions>().Bind(builder.Configuration.GetSection(ChannelOptions.Section));
        ErrorProblems.SharedCodeResources.TryAdd(typeof(ChannelsResource), true);
        // No request logging: a Telegram bot token is part of every Bot API URL.
        services.AddHttpClient(HttpClientName, (sp, client) => client.Timeout = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ChannelOptions>>().Value.Timeout)
            .RemoveAllLoggers();
        // CH-1: every adapter in the assembly; a new kind is a new folder.
        foreach (var adapter in typeof(IChannelAdapter).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IChannelAdapter).IsAssignableFrom(t)))
        {
            services.AddSingleton(typeof(IChannelAdapter), adapter);
        }
        services.AddSingleton<GraphApi>();
        services.AddSingleton<ChannelAdapters>();
        services.AddSingleton<ChannelDirectory>();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookLimiter>();
        services.AddScoped<ChannelSetup>();
        services.AddScoped<Facebook.FacebookConnect>();
        services.AddScoped<IChannelOutbound, ChannelOutbound>();
        services.AddScoped<IWorkHandler<OutboxMessage>, ChannelSendHandler>();
        services.AddScoped<IWorkHandler<OutboxMessage>, ChannelMediaHandler>();
        services.AddScoped<IWorkHandler<InboundWebhook>, InboundWebhookHandler>();
        return builder.AddWorkQueue<InboundWebhook>("Inbound");
    }

    public static WebApplication MapChannels(this WebApplication app)
    {
        app.MapChannelEndpoints();
        app.MapWebhookEndpoints();
        return app;
    }
}
