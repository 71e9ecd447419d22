using System.Text.Json;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Layan.Features.Channels.Facebook;

/// <summary>A Page the person granted, with its Page token (kept protected between the two steps) and its Instagram account.</summary>
internal sealed record GrantedPage(string Id, string Name, string AccessToken, string? InstagramId);

/// <summary>The grant between "Login with Facebook" and "Enable": the workspace, who asked, and the Pages (protected, short-lived).</summary>
internal sealed record FacebookGrant(Guid WorkspaceId, Guid UserId, IReadOnlyList<GrantedPage> Pages);

/// <summary>What the Administrator chose for one Page.</summary>
internal sealed record PageChoice(string PageId, bool Messages, bool Comments, bool Instagram);

/// <summary>
/// CH-1 "Login with Facebook" (the operator's Meta app, <c>Channels:MetaAppId</c> and
/// <c>MetaAppSecret</c>): the OAuth dialog → the code exchanged for a user token → the Pages it
/// manages (<c>me/accounts</c>) → the Administrator picks Pages and toggles messages, comments and
/// the linked Instagram account → Enable creates the channels and subscribes each Page to the
/// app's webhooks (<c>subscribed_apps</c>). The grant travels between the steps encrypted and
/// expires in 15 minutes; Page tokens never reach the browser in clear.
/// </summary>
internal sealed class FacebookConnect(GraphApi graph, ChannelSetup setup, IDataProtectionProvider protection, IOptions<ChannelOptions> options, IOptions<PublicUrlOptions> publicUrl)
{
    public const string Scopes = "pages_show_list,pages_messaging,pages_manage_metadata,pages_read_engagement,pages_manage_engagement,instagram_basic,instagram_manage_messages,instagram_manage_comments";

    private readonly ITimeLimitedDataProtector _state = protection.CreateProtector("Layan.Channels.FacebookConnect.v1").ToTimeLimitedDataProtector();

    public string CallbackUrl => publicUrl.Value.Link("/channels/facebook/callback");

    /// <summary>Where the browser goes to grant access; the state names the workspace and the person.</summary>
    public string DialogUrl(Guid workspaceId, Guid userId)
    {
        var state = _state.Protect(JsonSerializer.Serialize(new FacebookGrant(workspaceId, userId, [])), TimeSpan.FromMinutes(15));
        var settings = options.Value;
        return $"{settings.FacebookDialogUrl.TrimEnd('/')}/{settings.GraphVersion}/dialog/oauth?client_id={Uri.EscapeDataString(settings.MetaAppId ?? "")}"
            + $"&redirect_uri={Uri.EscapeDataString(CallbackUrl)}&state={Uri.EscapeDataString(state)}&scope={Scopes}&response_type=code";
    }

    /// <summary>The code for the Pages the person manages; null when the state is not theirs, expired, or Meta refuses the code.</summary>
    public async Task<(FacebookGrant Grant, string Sealed)?> ExchangeAsync(string? code, string? state, Guid userId, CancellationToken cancellationToken)
    {
        if (Open(state) is not { } asked || asked.UserId != userId || string.IsNullOrEmpty(code) || code.Length > 2000)
        {
            return null;
        }
        try
        {
            return await ExchangeCodeAsync(asked, code, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private async Task<(FacebookGrant Grant, string Sealed)?> ExchangeCodeAsync(FacebookGrant asked, string code, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var token = await graph.GetAsync(
            $"oauth/access_token?client_id={Uri.EscapeDataString(settings.MetaAppId ?? "")}&redirect_uri={Uri.EscapeDataString(CallbackUrl)}&client_secret={Uri.EscapeDataString(settings.MetaAppSecret ?? "")}&code={Uri.EscapeDataString(code)}",
            null, cancellationToken);
        if (token.Failure is not null || token.Body.Text("access_token") is not { } userToken)
        {
            return null;
        }
        var accounts = await graph.GetAsync("me/accounts?fields=id,name,access_token,instagram_business_account", userToken, cancellationToken);
        if (accounts.Failure is not null)
        {
            return null;
        }
        var pages = accounts.Body.Items("data")
            .Where(p => p.Text("id") is not null && p.Text("access_token") is not null)
            .Select(p => new GrantedPage(p.Text("id")!, p.Text("name") ?? p.Text("id")!, p.Text("access_token")!, p.Child("instagram_business_account").Text("id")))
            .Take(50).ToList();
        var grant = asked with { Pages = pages };
        return (grant, _state.Protect(JsonSerializer.Serialize(grant), TimeSpan.FromMinutes(15)));
    }

    /// <summary>The sealed grant back, or null when it was tampered with or has expired.</summary>
    public FacebookGrant? Open(string? sealedGrant)
    {
        if (string.IsNullOrEmpty(sealedGrant))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<FacebookGrant>(_state.Unprotect(sealedGrant));
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Subscribes each chosen Page to the app's webhooks, then creates its channels (the Page with
    /// messages and/or comments; its Instagram account): a refused subscription creates nothing for
    /// that Page.
    /// </summary>
    public async Task<Result<IReadOnlyList<ChannelItem>>> EnableAsync(WorkspaceMembership access, FacebookGrant grant, IReadOnlyList<PageChoice> choices, CancellationToken cancellationToken)
    {
        var created = new List<ChannelItem>();
        var secret = options.Value.MetaAppSecret ?? "";
        foreach (var choice in choices.Where(c => c.Messages || c.Comments || c.Instagram))
        {
            if (grant.Pages.FirstOrDefault(p => p.Id == choice.PageId) is not { } page)
            {
                continue;
            }
            try
            {
                var subscribed = await graph.PostJsonAsync($"{page.Id}/subscribed_apps", page.AccessToken, new { subscribed_fields = "messages,message_deliveries,message_reads,message_reactions,feed" }, cancellationToken);
                if (subscribed.Failure is not null)
                {
                    return new Failure(ChannelErrors.ProviderRefused);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return new Failure(ChannelErrors.ProviderRefused);
            }
            var credentials = new Dictionary<string, string> { [ChannelCredentials.AccessToken] = page.AccessToken, [ChannelCredentials.AppSecret] = secret };
            if (choice.Messages || choice.Comments)
            {
                var channel = await setup.CreateAsync(access, new ChannelInput(FacebookAdapter.KindName, page.Name, page.Id, credentials, null, choice.Messages, choice.Comments), cancellationToken);
                if (!channel.Succeeded)
                {
                    return Result<IReadOnlyList<ChannelItem>>.Failed(channel.Errors);
                }
                created.Add(channel.Value!.Channel);
            }
            if (choice.Instagram && page.InstagramId is { } instagram)
            {
                var linked = new Dictionary<string, string>(credentials) { [ChannelCredentials.PageId] = page.Id };
                var channel = await setup.CreateAsync(access, new ChannelInput(Instagram.InstagramAdapter.KindName, $"{page.Name} (Instagram)", instagram, linked, null, true, choice.Comments), cancellationToken);
                if (!channel.Succeeded)
                {
                    return Result<IReadOnlyList<ChannelItem>>.Failed(channel.Errors);
                }
                created.Add(channel.Value!.Channel);
            }
        }
        return created;
    }
}
