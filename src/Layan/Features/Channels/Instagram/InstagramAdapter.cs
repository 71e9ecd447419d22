using System.Text.Json;

namespace Layan.Features.Channels.Instagram;

/// <summary>
/// An Instagram professional account: direct messages (<c>object: instagram</c>,
/// <c>entry[].messaging[]</c>) and, when switched on, comments on its media (<c>changes[]</c> with
/// field <c>comments</c>). The account id is the Instagram account id.
/// </summary>
internal sealed class InstagramAdapter(GraphApi graph, TimeProvider clock) : MetaMessagingAdapter(graph, clock)
{
    public const string KindName = "instagram";

    public override string Kind => KindName;

    protected override string WebhookObject => "instagram";

    protected override string MessageChannel => "instagram";

    protected override string CommentChannel => "instagram_comment";

    protected override object HideBody { get; } = new { hide = true };

    public override IReadOnlyList<string> CredentialFields { get; } = [ChannelCredentials.AccessToken, ChannelCredentials.AppSecret, ChannelCredentials.VerifyToken, ChannelCredentials.PageId];

    protected override string PublicReplyPath(string commentId) => $"{commentId}/replies";

    protected override InboundMessage? ParseComment(ConnectedChannel channel, string? field, JsonElement value, DateTimeOffset now)
    {
        if (field != "comments" || value.Text("id") is not { } id)
        {
            return null;
        }
        var from = value.Child("from");
        if (from.Text("id") is not { } author || author == channel.ExternalId)
        {
            return null;
        }
        var parent = value.Text("parent_id");
        var thread = parent ?? id;
        return new InboundMessage(id, thread, new InboundSender(author, from.Text("username")), value.Text("text") ?? "", now)
        {
            ReplyTo = parent,
            Subject = value.Child("media").Text("id"),
        };
    }
}
