using Layan.Features.Accounts;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Inbox;

/// <summary>The inbox views (INB-1): mine, unassigned, all.</summary>
internal static class InboxViews
{
    public const string Mine = "mine";
    public const string Unassigned = "unassigned";
    public const string All = "all";
}

/// <summary>X-2: what the list is filtered by; all on the server.</summary>
internal sealed record InboxFilter(string? View, Guid? DepartmentId, Guid? LabelId, string? Status, string? Search, int Page);

internal sealed record ConversationSummary(
    Guid Id, string? ContactName, string Channel, string Status, Guid? AssigneeId, string? AssigneeName,
    Guid DepartmentId, string DepartmentName, string? Preview, DateTimeOffset LastActivityAt, DateTimeOffset? SnoozedUntil);

internal sealed record InboxCounts(int Mine, int Unassigned, int All);

internal sealed record InboxList(IReadOnlyList<ConversationSummary> Items, int Total, int Page, int PageSize, InboxCounts Counts);

internal sealed record ContactItem(Guid Id, string? Name, string? Email, bool EmailVerified, string? Phone);

internal sealed record HistoryItem(Guid Id, string Channel, string Status, DateTimeOffset CreatedAt, string? Preview);

/// <summary>★ Where a waiting conversation stands: its place in the department's queue and a wait estimate.</summary>
internal sealed record QueueInfo(int Position, int EstimatedWaitSeconds);

internal sealed record ConversationDetail(
    ConversationSummary Summary, ContactItem Contact, IReadOnlyList<MessageItem> Messages, IReadOnlyList<Guid> LabelIds,
    IReadOnlyList<HistoryItem> History, QueueInfo? Queue, IReadOnlyList<DecisionItem>? Decisions);

internal sealed record DecisionItem(DateTimeOffset At, string Trigger, string Mode, Guid? WinnerId, RoutingExplanation Explanation);

/// <summary>Reads of the inbox: the list with its counts, one conversation with its contact's history, queue positions.</summary>
internal sealed class InboxQueries(LayanDbContext db, Router router, TimeProvider clock)
{
    public const int PageSize = 25;

    /// <summary>Counts stop here: a view shows "1000+" rather than counting a million rows on every refresh.</summary>
    public const int CountCap = 1000;

    /// <summary>The number of rows, up to <see cref="CountCap"/> + 1 (meaning "more than the cap").</summary>
    private static Task<int> CappedCountAsync(IQueryable<Conversation> query, CancellationToken cancellationToken) =>
        query.Take(CountCap + 1).CountAsync(cancellationToken);

    /// <summary>What a member may see: everything, or for agents under ★ department-scoped visibility their departments' and their own.</summary>
    public static IQueryable<Conversation> Visible(LayanDbContext db, WorkspaceMembership access)
    {
        var query = db.Set<Conversation>().Where(c => c.WorkspaceId == access.WorkspaceId);
        if (access.Role == WorkspaceRoles.Agent && access.Workspace.AgentVisibility == AgentVisibility.Departments)
        {
            var me = access.Member.UserId;
            var mine = db.Set<DepartmentMember>().Where(m => m.UserId == me).Select(m => m.DepartmentId);
            query = query.Where(c => c.AssigneeId == me || mine.Contains(c.DepartmentId));
        }
        return query;
    }

    public async Task<InboxList> ListAsync(WorkspaceMembership access, InboxFilter filter, CancellationToken cancellationToken)
    {
        var me = access.Member.UserId;
        var status = ConversationStatus.All.Contains(filter.Status) ? filter.Status! : ConversationStatus.Open;
        var query = Visible(db, access).Where(c => c.Status == status);
        if (filter.DepartmentId is { } department)
        {
            query = query.Where(c => c.DepartmentId == department);
        }
        if (filter.LabelId is { } label)
        {
            query = query.Where(c => db.Set<ConversationLabel>().Any(l => l.ConversationId == c.Id && l.LabelId == label));
        }
        if (filter.Search?.Trim() is { Length: > 0 } search)
        {
            query = Search(query, search.ToLowerInvariant());
        }
        var counts = new InboxCounts(
            await CappedCountAsync(query.Where(c => c.AssigneeId == me), cancellationToken),
            await CappedCountAsync(query.Where(c => c.AssigneeId == null), cancellationToken),
            await CappedCountAsync(query, cancellationToken));
        var view = filter.View switch
        {
            InboxViews.Mine => query.Where(c => c.AssigneeId == me),
            InboxViews.Unassigned => query.Where(c => c.AssigneeId == null),
            _ => query,
        };
        var total = filter.View switch { InboxViews.Mine => counts.Mine, InboxViews.Unassigned => counts.Unassigned, _ => counts.All };
        var page = Math.Max(filter.Page, 1);
        var ids = await view.OrderByDescending(c => c.LastActivityAt).ThenByDescending(c => c.Id).Skip((page - 1) * PageSize).Take(PageSize)
            .Select(c => c.Id).ToListAsync(cancellationToken);
        var items = await Summaries(db.Set<Conversation>().Where(c => ids.Contains(c.Id))).ToDictionaryAsync(s => s.Id, cancellationToken);
        return new InboxList([.. ids.Select(id => items[id])], total, page, PageSize, counts);
    }

    public async Task<ConversationDetail?> DetailAsync(WorkspaceMembership access, Guid conversationId, CancellationToken cancellationToken)
    {
        var conversation = await Visible(db, access).AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken);
        if (conversation is null)
        {
            return null;
        }
        var summary = await Summaries(db.Set<Conversation>().Where(c => c.Id == conversationId)).SingleAsync(cancellationToken);
        var contact = await db.Set<Contact>().AsNoTracking().SingleAsync(c => c.Id == conversation.ContactId, cancellationToken);
        var messages = await Messages(conversationId, publicOnly: false).ToListAsync(cancellationToken);
        var labels = await db.Set<ConversationLabel>().Where(l => l.ConversationId == conversationId).Select(l => l.LabelId).ToListAsync(cancellationToken);
        var history = await Visible(db, access).Where(c => c.ContactId == contact.Id && c.Id != conversationId)
            .OrderByDescending(c => c.CreatedAt).Take(20)
            .Select(c => new HistoryItem(c.Id, c.Channel, c.Status, c.CreatedAt, c.LastMessagePreview)).ToListAsync(cancellationToken);
        IReadOnlyList<DecisionItem>? decisions = null;
        if (access.Can(WorkspaceActions.ManageRouting))
        {
            decisions = [.. (await router.DecisionsAsync(conversationId, cancellationToken)).Select(d => new DecisionItem(d.Decision.DecidedAt, d.Decision.Trigger, d.Decision.Mode, d.Decision.WinnerId, d.Explanation))];
        }
        return new ConversationDetail(summary, new ContactItem(contact.Id, contact.Name, contact.Email, contact.EmailVerified, contact.Phone),
            messages, labels, history, await QueueAsync(conversation, cancellationToken), decisions);
    }

    /// <summary>The conversation's messages, oldest first, with their authors' names; the visitor's view leaves notes out.</summary>
    public IQueryable<MessageItem> Messages(Guid conversationId, bool publicOnly) =>
        from m in db.Set<Message>()
        where m.ConversationId == conversationId && (!publicOnly || m.Kind != MessageKinds.Note)
        join u in db.Set<User>() on m.AuthorId equals u.Id into authors
        from u in authors.DefaultIfEmpty()
        orderby m.CreatedAt, m.Id
        select new MessageItem(m.ConversationId, m.Id, m.Kind, m.AuthorId, u != null ? u.FullName : null, m.Body,
            m.AttachmentName, m.AttachmentType, m.AttachmentSize, m.CreatedAt, m.ReadAt)
        {
            ContentKind = m.ContentKind,
            Delivery = m.Delivery,
            DeliveryError = m.DeliveryError,
        };

    /// <summary>
    /// ★ For a conversation waiting in the queue: how many wait before it (higher priority, or
    /// the same and earlier) plus one, and an estimate: its position times the department's
    /// recent pace of assignment (the mean gap between its last 20 assignments; a minute each
    /// while there is no history). Null when it is not waiting.
    /// </summary>
    public async Task<QueueInfo?> QueueAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        if (conversation.QueuedAt is not { } queuedAt || conversation.AssigneeId is not null || conversation.Status != ConversationStatus.Open)
        {
            return null;
        }
        var ahead = await db.Set<Conversation>().CountAsync(c =>
            c.DepartmentId == conversation.DepartmentId && c.QueuedAt != null && c.AssigneeId == null && c.Status == ConversationStatus.Open &&
            (c.Priority > conversation.Priority || (c.Priority == conversation.Priority && (c.QueuedAt < queuedAt || (c.QueuedAt == queuedAt && c.Id.CompareTo(conversation.Id) < 0)))), cancellationToken);
        var recent = await db.Set<Conversation>().Where(c => c.DepartmentId == conversation.DepartmentId && c.AssignedAt != null)
            .OrderByDescending(c => c.AssignedAt).Take(20).Select(c => c.AssignedAt!.Value).ToListAsync(cancellationToken);
        var pace = recent.Count >= 2 ? (recent[0] - recent[^1]).TotalSeconds / (recent.Count - 1) : 60;
        // Nobody has been assigned for longer than the pace suggests: the estimate does not pretend otherwise.
        if (recent.Count > 0 && (clock.GetUtcNow() - recent[0]).TotalSeconds > pace)
        {
            pace = Math.Max(pace, 60);
        }
        var position = ahead + 1;
        return new QueueInfo(position, (int)Math.Ceiling(Math.Max(pace, 5) * position));
    }

    // Translated to SQL lower(…) LIKE on both databases; no culture is involved on this side.
#pragma warning disable CA1304, CA1311, CA1862
    private IQueryable<Conversation> Search(IQueryable<Conversation> query, string term) =>
        query.Where(c =>
            db.Set<Contact>().Any(k => k.Id == c.ContactId && ((k.Name != null && k.Name.ToLower().Contains(term)) || (k.Email != null && k.Email.Contains(term)))) ||
            db.Set<Message>().Any(m => m.ConversationId == c.Id && m.Body.ToLower().Contains(term)));
#pragma warning restore CA1304, CA1311, CA1862

    private IQueryable<ConversationSummary> Summaries(IQueryable<Conversation> conversations) =>
        from c in conversations
        join k in db.Set<Contact>() on c.ContactId equals k.Id
        join d in db.Set<Department>() on c.DepartmentId equals d.Id
        join u in db.Set<User>() on c.AssigneeId equals u.Id into assignees
        from u in assignees.DefaultIfEmpty()
        select new ConversationSummary(c.Id, k.Name ?? k.Email, c.Channel, c.Status, c.AssigneeId, u != null ? u.FullName : null,
            c.DepartmentId, d.Name, c.LastMessagePreview, c.LastActivityAt, c.SnoozedUntil);
}
