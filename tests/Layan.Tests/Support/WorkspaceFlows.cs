namespace Layan.Tests.Support;

/// <summary>An active workspace, the shortest way a test gets one: opened, reviewed, approved, activated.</summary>
internal static class WorkspaceFlows
{
    /// <summary>Puts the test provider's always-accepted card on file (the setup wizard's payment step).</summary>
    public static async Task AddTestCardAsync(this HttpClient owner, Guid workspaceId) =>
        (await owner.PostJsonAsync($"/api/v1/workspaces/{workspaceId}/setup/payment-method",
            new { number = "4242 4242 4242 4242", expiryMonth = 12, expiryYear = 2035, cvc = "123" })).EnsureSuccessStatusCode();

    /// <summary>A card on file, then a month of <paramref name="feature"/> from the Shop.</summary>
    public static async Task SubscribeAsync(this HttpClient owner, Guid workspaceId, string feature)
    {
        await owner.AddTestCardAsync(workspaceId);
        (await owner.PostJsonAsync($"/api/v1/workspaces/{workspaceId}/subscriptions", new { feature })).EnsureSuccessStatusCode();
    }

    /// <summary>Invites <paramref name="email"/> with a role, registers them and accepts: their signed-in client.</summary>
    public static async Task<HttpClient> JoinAsync(this LayanApp app, HttpClient owner, Guid workspace, string email, string role, string fullName = "Ben Okafor", string language = "en")
    {
        (await owner.PostJsonAsync($"/api/v1/workspaces/{workspace}/invitations", new { email, role })).EnsureSuccessStatusCode();
        var token = OnboardingFlows.TokenIn((await app.EmailsToAsync(email))[^1].TextBody);
        var client = app.Browser();
        await app.RegisterVerifiedAsync(client, email, language, fullName);
        (await client.PostJsonAsync("/api/v1/invitations/accept", new { token })).EnsureSuccessStatusCode();
        return client;
    }

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
