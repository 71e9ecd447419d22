using Layan.Features.Accounts;
using Layan.Features.Realtime;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Inbox;

/// <summary>
/// NOT-1: who hears about what. In the inbox every event arrives live and the page plays the
/// agent's chosen sound or shows a browser notification; by email, an assignment or a mention
/// reaches an agent who is not online (if they want it), and an agent's reply reaches a visitor
/// who left the offline form.
/// </summary>
internal sealed class InboxNotifications(
    LayanDbContext db, EventLog events, Mailer mailer, IStringLocalizer<InboxResource> strings,
    IOptions<PublicUrlOptions> publicUrl, IOptions<InboxOptions> options, TimeProvider clock)
{
    public async Task AssignedAsync(Workspace workspace, Conversation conversation, Guid userId, CancellationToken cancellationToken)
    {
        if (await OfflineRecipientAsync(userId, s => s.EmailOnAssignment, cancellationToken) is { } user)
        {
            Mail("Inbox.Assigned", user, workspace.Name, conversation);
        }
    }

    public async Task MentionedAsync(WorkspaceMembership access, Conversation conversation, Guid messageId, Guid userId, CancellationToken cancellationToken)
    {
        await events.AppendAsync("mention", new MentionEvent(conversation.Id, messageId, userId, access.Member.UserId), cancellationToken);
        if (await OfflineRecipientAsync(userId, s => s.EmailOnMention, cancellationToken) is { } user)
        {
            Mail("Inbox.Mentioned", user, access.Workspace.Name, conversation);
        }
    }

    /// <summary>An agent's reply to a chat left through the offline form goes to the visitor's address.</summary>
    public async Task EmailReplyAsync(Conversation conversation, string agentName, string body, CancellationToken cancellationToken)
    {
        var contact = await db.Set<Contact>().SingleAsync(c => c.Id == conversation.ContactId, cancellationToken);
        var workspace = await db.Set<Workspace>().SingleAsync(w => w.Id == conversation.WorkspaceId, cancellationToken);
        if (contact.Email is { } email)
        {
            mailer.Queue(new EmailTemplate(strings, "Inbox.Reply"), email, workspace.DefaultLanguage, new Dictionary<string, string>
            {
                ["workspace"] = workspace.Name,
                ["agent"] = agentName,
                ["message"] = body,
            });
        }
    }

    private void Mail(string template, User user, string workspace, Conversation conversation) =>
        mailer.Queue(new EmailTemplate(strings, template), user.Email!, user.Language, new Dictionary<string, string>
        {
            ["name"] = user.FullName,
            ["workspace"] = workspace,
            ["preview"] = conversation.LastMessagePreview ?? "",
            [Mailer.ActionUrl] = publicUrl.Value.Link($"/w/{conversation.WorkspaceId}/inbox/{conversation.Id}"),
        });

    /// <summary>The user, when they want this email and are not online in the workspace now.</summary>
    private async Task<User?> OfflineRecipientAsync(Guid userId, Func<AgentState, bool> wants, CancellationToken cancellationToken)
    {
        var state = await db.Set<AgentState>().AsNoTracking().SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        var online = state is { Presence: PresenceStatus.Online, LastSeenAt: { } seen } && seen >= clock.GetUtcNow() - options.Value.PresenceGrace;
        if (online || (state is not null && !wants(state)))
        {
            return null;
        }
        return await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
    }
}
