using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Workspaces;

// Covers the permission table on the server, endpoint by endpoint: an Agent gets 403 `forbidden`
// from every endpoint that needs more than an Agent's role, and a Supervisor from the
// Administrators' ones; someone from another workspace gets 404 from all of them.
public sealed class RoleEnforcementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // (method, path after /api/v1/workspaces/{id}, body, the lowest role allowed)
    private static readonly (HttpMethod Method, string Path, object? Body, string Lowest)[] Endpoints =
    [
        (HttpMethod.Post, "/invitations", new { email = "x@example.com", role = "agent" }, "administrator"),
        (HttpMethod.Put, "/members/00000000-0000-0000-0000-000000000001/role", new { role = "agent" }, "administrator"),
        (HttpMethod.Post, "/members/00000000-0000-0000-0000-000000000001/deactivate", null, "administrator"),
        (HttpMethod.Delete, "/invitations/00000000-0000-0000-0000-000000000001", null, "administrator"),
        (HttpMethod.Get, "/subscriptions", null, "administrator"),
        (HttpMethod.Post, "/subscriptions", new { feature = "label" }, "administrator"),
        (HttpMethod.Put, "/settings/visibility", new { visibility = "all" }, "administrator"),
        (HttpMethod.Get, "/audit", null, "administrator"),
        (HttpMethod.Post, "/departments", new { name = "X" }, "supervisor"),
        (HttpMethod.Post, "/labels", new { name = "X", colour = "#1a56db" }, "supervisor"),
        (HttpMethod.Post, "/quick-replies", new { keyword = "x", text = "X" }, "supervisor"),
        (HttpMethod.Put, "/settings/routing-mode", new { mode = "open_assignment" }, "supervisor"),
        (HttpMethod.Delete, "/labels/00000000-0000-0000-0000-000000000001", null, "supervisor"),
        (HttpMethod.Delete, "/quick-replies/00000000-0000-0000-0000-000000000001", null, "supervisor"),
        (HttpMethod.Delete, "/departments/00000000-0000-0000-0000-000000000001", null, "supervisor"),
        (HttpMethod.Put, "/departments/00000000-0000-0000-0000-000000000001", new { name = "X" }, "supervisor"),
        (HttpMethod.Put, "/labels/00000000-0000-0000-0000-000000000001", new { name = "X", colour = "#1a56db" }, "supervisor"),
        (HttpMethod.Put, "/quick-replies/00000000-0000-0000-0000-000000000001", new { keyword = "x", text = "X" }, "supervisor"),
    ];

    private static readonly string[] Ranks = ["agent", "supervisor", "administrator"];

    private static async Task<HttpResponseMessage> CallAsync(HttpClient client, Guid workspace, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, $"/api/v1/workspaces/{workspace}{path}");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task Every_endpoint_refuses_roles_below_its_own_and_strangers()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var owner = app.Browser();
        await app.RegisterVerifiedAsync(owner, "ana@example.com");
        var id = await app.ActiveWorkspaceAsync(owner, "ana@example.com");
        var members = new Dictionary<string, HttpClient>();
        foreach (var role in new[] { "agent", "supervisor" })
        {
            var email = $"{role}@example.com";
            (await owner.PostJsonAsync($"/api/v1/workspaces/{id}/invitations", new { email, role })).EnsureSuccessStatusCode();
            var token = OnboardingFlows.TokenIn((await app.EmailsToAsync(email))[^1].TextBody);
            var client = app.Browser();
            await app.RegisterVerifiedAsync(client, email, fullName: role);
            (await client.PostJsonAsync("/api/v1/invitations/accept", new { token })).EnsureSuccessStatusCode();
            members[role] = client;
        }
        using var stranger = app.Browser();
        await app.RegisterVerifiedAsync(stranger, "eve@example.com", fullName: "Eve");

        foreach (var (method, path, body, lowest) in Endpoints)
        {
            foreach (var (role, client) in members.Where(m => Array.IndexOf(Ranks, m.Key) < Array.IndexOf(Ranks, lowest)))
            {
                var answer = await CallAsync(client, id, method, path, body);
                answer.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{role} → {method} {path}");
                (await answer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString().ShouldBe("forbidden");
            }
            (await CallAsync(stranger, id, method, path, body)).StatusCode.ShouldBe(HttpStatusCode.NotFound, $"stranger → {method} {path}");
        }
        foreach (var client in members.Values)
        {
            client.Dispose();
        }
    }
}
