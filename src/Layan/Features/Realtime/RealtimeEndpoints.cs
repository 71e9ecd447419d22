using Layan.Features.Accounts;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;

namespace Layan.Features.Realtime;

/// <summary>
/// <c>GET /api/v1/workspaces/{id}/events?after=N&amp;wait=S</c> (long poll) and
/// <c>/api/v1/workspaces/{id}/live?after=N</c> (WebSocket): the workspace's events after N, for
/// its members. The protocol is docs/realtime.md.
/// </summary>
internal static class RealtimeEndpoints
{
    public static WebApplication MapRealtime(this WebApplication app)
    {
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        var group = app.MapApiGroup("workspaces", "Realtime").RequireAuthorization().MapGroup("/{id:guid}");
        group.MapGet("/events", EventsAsync).WithSummary("Events after `after`, waiting up to `wait` seconds (≤ 25) for the first; `resync` when `after` cannot be caught up.");
        group.MapGet("/live", LiveAsync).WithSummary("The same as a WebSocket: each batch of events as one JSON text frame, as they commit.");
        return app;
    }

    private static async Task<IResult> EventsAsync(
        Guid id, HttpContext http, WorkspaceAccess access, UserManager<User> users, EventLog log, long after = 0, int wait = 0)
    {
        if (await access.CheckAsync(MySecurity.UserId(http.User, users)!.Value, id, WorkspaceActions.ViewTeam, http.RequestAborted) is not { Succeeded: true })
        {
            return TypedResults.NotFound();
        }
        var batch = await log.WaitAsync(id, after, TimeSpan.FromSeconds(Math.Clamp(wait, 0, 25)), null, http.RequestAborted);
        return TypedResults.Ok(batch);
    }

    private static async Task<IResult> LiveAsync(
        Guid id, HttpContext http, WorkspaceAccess access, UserManager<User> users, EventLog log, long after = 0)
    {
        if (await access.CheckAsync(MySecurity.UserId(http.User, users)!.Value, id, WorkspaceActions.ViewTeam, http.RequestAborted) is not { Succeeded: true })
        {
            return TypedResults.NotFound();
        }
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.BadRequest();
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        try
        {
            await log.StreamAsync(socket, id, after, null, http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // the client went away; it reconnects with its last number
        }
        return TypedResults.Empty;
    }
}
