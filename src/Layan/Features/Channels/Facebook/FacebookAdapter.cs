using System.Text.Json;

namespace Layan.Features.Channels.Facebook;

/// <summary>
/// A Facebook Page: Messenger (<c>object: page</c>, <c>entry[].messaging[]</c>) and, when switched
/// on, the Page's comments (<c>changes[]</c> with field <c>feed</c>, item <c>comment</c>). The
/// account id is the Page id; the token is a Page access token.
/// </summary>
internal sealed class FacebookAdapter(GraphApi graph, TimeProvider clock) : MetaMessagingAdapter(graph, clock)
{
    public const string KindName = "facebook";

    public override string Kind => KindName;

    protected override string WebhookObject => "page";

    protected override string MessageChannel => "messenger";

    protected override string CommentChannel => "facebook_comment";

    protected override object HideBody { get; } = new { is_hidden = true };

    protected override string PublicReplyPath(string commentId) => $"{commentId}/comments";

    protected override InboundMessage? ParseComment(ConnectedChannel channel, string? field, JsonElement value, DateTimeOffset now)
    {
        if (field != "feed" || value.Text("item") != "comment" || value.Text("verb") != "add" || value.Text("comment_id") is not { } id)
        {
            return null;
        }
        var from = value.Child("from");
        if (from.Text("id") is not { } author || author == channel.ExternalId)
        {
            return null;
        }
        // A top-level comment's parent is the post: it starts a thread; a reply joins its parent's.
        var parent = value.Text("parent_id");
        var thread = parent is null || parent == value.Text("post_id") ? id : parent;
        return new InboundMessage(id, thread, new InboundSender(author, from.Text("name")), value.Text("message") ?? "", value.UnixTime("created_time", now))
        {
            ReplyTo = thread == id ? null : parent,
            Subject = value.Text("post_id"),
        };
    }
}
