using Layan.Tests.Support;

namespace Layan.Tests.Support;

/// <summary>An active workspace, the shortest way a test gets one: opened, reviewed, approved, activated.</summary>
internal static class WorkspaceFlows
{
    public static async Task<Guid> ActiveWorkspaceAsync(this LayanApp app, HttpClient owner, string ownerEmail, string name = "Toko Ana")
    {
        using var reviewer = await app.OperatorAsync($"reviewer-{Guid.NewGuid():N}@layan.example");
        var id = await owner.OpenWorkspaceAsync(type: "individual", name: name);
        await owner.SubmitCompleteAsync(id);
        (await reviewer.ClaimAsync(id)).EnsureSuccessStatusCode();
        (await reviewer.DecideAsync(id, new { outcome = "approve" })).EnsureSuccessStatusCode();
        (await owner.PostJsonAsync("/api/v1/workspaces/activate", new { token = await app.ActivationTokenAsync(ownerEmail) })).EnsureSuccessStatusCode();
        return id;
    }
}
