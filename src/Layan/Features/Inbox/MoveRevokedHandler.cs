using Layan.Features.Realtime;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Inbox;

/// <summary>
/// WS-3: seven days after the Department feature lapsed, the conversations still open (or pending,
/// or snoozed) in Revoked departments move to the Main Department, keeping their assignee; resolved
/// ones never move. The timer is set by <see cref="Revocation"/> and cancelled when the feature returns.
/// </summary>
internal sealed class MoveRevokedHandler(LayanDbContext db, EventLog events, Router router, AuditLog audit) : IWorkHandler<DueWork>
{
    public string Kind => Revocation.MoveRevokedKind;

    public async Task HandleAsync(DueWork item, CancellationToken cancellationToken)
    {
        var main = await db.Set<Department>().SingleAsync(d => d.IsDefault, cancellationToken);
        var revoked = db.Set<Department>().Where(d => d.Revoked).Select(d => d.Id);
        var moving = await db.Set<Conversation>()
            .Where(c => revoked.Contains(c.DepartmentId) && c.Status != ConversationStatus.Resolved).ToListAsync(cancellationToken);
        if (moving.Count == 0)
        {
            return;
        }
        foreach (var conversation in moving)
        {
            conversation.DepartmentId = main.Id;
        }
        audit.Record("departments.conversations_moved", $"departments/{main.Id}", null, new { conversations = moving.Count });
        await db.SaveChangesAsync(cancellationToken);
        var ids = moving.Select(c => c.Id).ToList();
        var labels = await db.Set<ConversationLabel>().Where(l => ids.Contains(l.ConversationId)).ToListAsync(cancellationToken);
        foreach (var conversation in moving)
        {
            await events.AppendAsync("conversation.updated", new UpdatedEvent(conversation.Id, conversation.Status, conversation.SnoozedUntil, main.Id,
                [.. labels.Where(l => l.ConversationId == conversation.Id).Select(l => l.LabelId)]), cancellationToken);
        }
        await router.RouteAsync(main.Id, RoutingTriggers.Sweep, cancellationToken);
    }
}
