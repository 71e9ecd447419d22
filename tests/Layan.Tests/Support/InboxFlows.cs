using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Inbox;
using Microsoft.Extensions.DependencyInjection;

namespace Layan.Tests.Support;

/// <summary>A visitor's chat as the widget holds it.</summary>
internal sealed record Chat(Guid WorkspaceId, Guid ConversationId, string Token);

/// <summary>The inbox from both sides: a visitor through the widget API, agents through theirs.</summary>
internal static class InboxFlows
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An anonymous visitor starts a chat; fails the test if the widget refuses.</summary>
    public static async Task<Chat> StartChatAsync(this HttpClient visitor, Guid workspaceId, string message = "Hello, is my order on its way?", object? extra = null)
    {
        var response = await visitor.StartChatRawAsync(workspaceId, message, extra);
        response.EnsureSuccessStatusCode();
        var session = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return new Chat(workspaceId, session.GetProperty("conversationId").GetGuid(), session.GetProperty("visitorToken").GetString()!);
    }

    public static Task<HttpResponseMessage> StartChatRawAsync(this HttpClient visitor, Guid workspaceId, string? message, object? extra = null)
    {
        var body = JsonSerializer.SerializeToElement(extra ?? new { }, JsonSerializerOptions.Web).EnumerateObject()
            .ToDictionary(p => p.Name, p => (object?)p.Value);
        body["message"] = message;
        return visitor.PostAsJsonAsync($"/api/v1/widget/{workspaceId}/conversations", body, Ct);
    }

    /// <summary>A widget call with the visitor's token.</summary>
    public static Task<HttpResponseMessage> AsVisitorAsync(this HttpClient visitor, Chat chat, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, $"/api/v1/widget/{chat.WorkspaceId}/{path}");
        request.Headers.Add(WidgetEndpoints.TokenHeader, chat.Token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return visitor.SendAsync(request, Ct);
    }

    public static async Task<JsonElement> VisitorViewAsync(this HttpClient visitor, Chat chat)
    {
        var response = await visitor.AsVisitorAsync(chat, HttpMethod.Get, "conversation");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    public static async Task OnlineAsync(this HttpClient agent, Guid workspaceId, string presence = "online") =>
        (await agent.PutAsJsonAsync($"/api/v1/workspaces/{workspaceId}/presence", new { presence }, Ct)).EnsureSuccessStatusCode();

    public static async Task<JsonElement> ConversationAsync(this HttpClient agent, Guid workspaceId, Guid conversationId) =>
        await agent.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{workspaceId}/conversations/{conversationId}", Ct);

    public static async Task<Guid?> AssigneeAsync(this HttpClient agent, Guid workspaceId, Guid conversationId) =>
        (await agent.ConversationAsync(workspaceId, conversationId)).GetProperty("summary").GetProperty("assigneeId") is { ValueKind: JsonValueKind.String } id ? id.GetGuid() : null;

    public static async Task<Guid> UserIdAsync(this HttpClient owner, Guid workspaceId, string email) =>
        (await owner.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{workspaceId}/members", Ct)).GetProperty("members").EnumerateArray()
            .Single(m => m.GetProperty("email").GetString() == email).GetProperty("userId").GetGuid();

    /// <summary>One pass of the inbox's periodic sweep over every workspace, as the background service runs it.</summary>
    public static Task<int> SweepAsync(this LayanApp app) =>
        InboxSweepService.SweepAllAsync(app.Services.GetRequiredService<IServiceScopeFactory>(), rebuildLoad: true, Ct);
}
