using Layan.Features.Inbox;
using Layan.Features.Realtime;
using Layan.Features.Tickets.Rules;
using Layan.Features.Tickets.Sla;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Tickets;

/// <summary>
/// Tickets' side of conversations. TKT-3: the rules run on a new inbound conversation's first
/// message (department, label and queue priority on the conversation; the rest on its ticket), and
/// those that run on every message again on each later one (see <see cref="FollowUpAsync"/>). TKT-2: with Converse as Ticket in effect, every new inbound
/// conversation makes a ticket linked to it; TKT-5: from a blacklisted email or phone that ticket
/// is resolved at once, marked why. On linked tickets a customer's message resumes a ticket
/// pending the customer (and reopens a resolved one) and starts the next-response clock; an
/// automatic reply does neither; a public answer by staff meets the response targets.
/// </summary>
internal sealed class TicketInbound(
    LayanDbContext db, TenantContext tenant, Tickets tickets, TicketSettingsService settings, InboundRules inbound, SlaEngine sla, EventLog events, TimeProvider clock)
    : IConversationHook
{
    public const int SubjectLength = 80;

    public async Task StartedAsync(Conversation conversation, Contact contact, string? firstMessage, CancellationToken cancellationToken)
    {
        // The conversation is not saved yet: its workspace is the one the widget entered.
        var workspaceId = tenant.WorkspaceId ?? throw new InvalidOperationException("A conversation starts inside its workspace.");
        var rules = await settings.RulesAsync(workspaceId, cancellationToken);
        if (!rules.Subscribed)
        {
            return; // rules and Converse as Ticket are the Ticket feature's; kept, not run, while it has lapsed
        }
        var facts = new InboundFacts(conversation.Channel, firstMessage, contact.Email, contact.Phone, conversation.DepartmentId, clock.GetUtcNow());
        var (outcome, _) = await inbound.EvaluateAsync(workspaceId, facts, cancellationToken);
        var then = outcome.Actions;
        // What a rule names may have gone (Revoked, deactivated) since it was saved: such an action is skipped.
        if (await UsableDepartmentAsync(then, cancellationToken) is { } department)
        {
            conversation.DepartmentId = department;
        }
        var (label, _) = await LabelConversationAsync(conversation, then, cancellationToken);
        if (!rules.InboundInEffect && !then.CreateTicket)
        {
            return;
        }
        await OpenTicketAsync(workspaceId, rules, conversation, contact, firstMessage, outcome, label, conversation.DepartmentId, cancellationToken);
    }

    /// <summary>
    /// TKT-3 on a later message: the rules that run on every customer message act on the
    /// conversation (label, queue priority) and on its open tickets (priority, severity, label,
    /// department, assignee; recorded on each timeline), or make a ticket when it has none.
    /// </summary>
    private async Task FollowUpAsync(Conversation conversation, Contact contact, string? text, List<Ticket> linked, CancellationToken cancellationToken)
    {
        // Most workspaces have no every-message rule: then a later message costs one small query.
        var rules = await settings.RulesAsync(conversation.WorkspaceId, cancellationToken);
        if (!rules.Subscribed || !await db.Set<TicketRule>().AnyAsync(
            r => r.WorkspaceId == conversation.WorkspaceId && r.Enabled && r.Conditions.Contains($"\"{RuleTriggers.EveryMessage}\""), cancellationToken))
        {
            return;
        }
        var now = clock.GetUtcNow();
        var facts = new InboundFacts(conversation.Channel, text, contact.Email, contact.Phone, conversation.DepartmentId, now, FollowUp: true);
        var (outcome, _) = await inbound.EvaluateAsync(conversation.WorkspaceId, facts, cancellationToken);
        if (outcome.Fired.Count == 0)
        {
            return;
        }
        var then = outcome.Actions;
        var (label, changed) = await LabelConversationAsync(conversation, then, cancellationToken);
        if (changed)
        {
            // Open inboxes show the new label and place in the queue.
            var labels = await db.Set<ConversationLabel>().Where(l => l.ConversationId == conversation.Id).Select(l => l.LabelId).ToListAsync(cancellationToken);
            await events.AppendAsync("conversation.updated", new UpdatedEvent(
                conversation.Id, conversation.Status, conversation.SnoozedUntil, conversation.DepartmentId, [.. labels.Union(label is { } l ? [l] : [])]), cancellationToken);
        }
        var department = await UsableDepartmentAsync(then, cancellationToken);
        if (linked.Count == 0)
        {
            // A conversation whose ticket was closed at once (TKT-5's blacklist) gets no new one per message.
            var autoClosed = await db.Set<TicketConversation>().Where(c => c.ConversationId == conversation.Id)
                .AnyAsync(c => db.Set<Ticket>().Any(t => t.Id == c.TicketId && t.AutoClosedReason != null), cancellationToken);
            if (then.CreateTicket && !autoClosed)
            {
                await OpenTicketAsync(conversation.WorkspaceId, rules, conversation, contact, text, outcome, label, department ?? conversation.DepartmentId, cancellationToken);
            }
            return;
        }
        var assignee = await UsableAssigneeAsync(conversation.WorkspaceId, then, cancellationToken);
        foreach (var ticket in linked.Where(t => !TicketStatus.IsDone(t.Status)))
        {
            var changes = new TicketChanges();
            var (severity, priority, inDepartment) = (ticket.Severity, ticket.Priority, ticket.DepartmentId);
            if (then.Priority is { } wantedPriority)
            {
                changes.Set("priority", ticket.Priority, wantedPriority, v => ticket.Priority = v);
            }
            if (then.Severity is { } wantedSeverity)
            {
                changes.Set("severity", ticket.Severity, wantedSeverity, v => ticket.Severity = v);
            }
            if (department is { } toDepartment)
            {
                changes.Set<Guid?>("departmentId", ticket.DepartmentId, toDepartment, v => ticket.DepartmentId = v);
            }
            if (assignee is { } toAssignee)
            {
                changes.Set<Guid?>("assigneeId", ticket.AssigneeId, toAssignee, v => ticket.AssigneeId = v);
            }
            if (label is { } added && !await db.Set<TicketLabel>().AnyAsync(l => l.TicketId == ticket.Id && l.LabelId == added, cancellationToken))
            {
                db.Add(new TicketLabel { TicketId = ticket.Id, LabelId = added });
                changes.After["labelAdded"] = added;
            }
            if (!changes.Any)
            {
                continue;
            }
            ticket.UpdatedAt = now;
            tickets.AddEvent(ticket, null, TicketEventKinds.RulesApplied, new { rules = outcome.Fired, before = changes.Before, after = changes.After }, now);
            if (ticket.Severity != severity || ticket.Priority != priority || ticket.DepartmentId != inDepartment)
            {
                await sla.RetargetAsync(ticket, cancellationToken);
            }
        }
    }

    private async Task OpenTicketAsync(
        Guid workspaceId, TicketRules rules, Conversation conversation, Contact contact, string? text, RuleOutcome outcome, Guid? label, Guid department,
        CancellationToken cancellationToken)
    {
        var then = outcome.Actions;
        var assignee = await UsableAssigneeAsync(workspaceId, then, cancellationToken);
        var blacklisted = rules.AutoCloseBlacklisted && await settings.BlacklistedAsync(contact.Email, contact.Phone, cancellationToken);
        var ticket = await tickets.OpenAsync(
            workspaceId,
            new TicketInput(
                Subject: SubjectOf(text, contact), Priority: then.Priority, Severity: then.Severity, AssigneeId: assignee,
                DepartmentId: department, LabelIds: label is { } l ? [l] : null, ConversationId: conversation.Id),
            contact.Id, actor: null, blacklisted ? AutoCloseReasons.Blacklisted : null, cancellationToken);
        if (outcome.Fired.Count > 0)
        {
            tickets.AddEvent(ticket, null, TicketEventKinds.RulesApplied, new { rules = outcome.Fired }, ticket.CreatedAt);
        }
    }

    // A rule's label, if it still exists, on the conversation (once); its priority as the conversation's
    // weight in the queue. Changed: a label was added or the weight moved.
    private async Task<(Guid? Label, bool Changed)> LabelConversationAsync(Conversation conversation, RuleActions then, CancellationToken cancellationToken)
    {
        var changed = false;
        var label = then.LabelId is { } labelId && await db.Set<Label>().AnyAsync(l => l.Id == labelId && !l.Revoked, cancellationToken) ? labelId : (Guid?)null;
        if (label is { } usable
            && !db.ChangeTracker.Entries<ConversationLabel>().Any(e => e.Entity.ConversationId == conversation.Id && e.Entity.LabelId == usable)
            && !await db.Set<ConversationLabel>().AnyAsync(l => l.ConversationId == conversation.Id && l.LabelId == usable, cancellationToken))
        {
            db.Add(new ConversationLabel { ConversationId = conversation.Id, LabelId = usable });
            changed = true;
        }
        if (then.Priority is { } priority && conversation.Priority != QueueWeight(priority))
        {
            conversation.Priority = QueueWeight(priority);
            changed = true;
        }
        return (label, changed);
    }

    private async Task<Guid?> UsableDepartmentAsync(RuleActions then, CancellationToken cancellationToken) =>
        then.DepartmentId is { } department && await db.Set<Department>().AnyAsync(d => d.Id == department && !d.Revoked, cancellationToken) ? department : null;

    private async Task<Guid?> UsableAssigneeAsync(Guid workspaceId, RuleActions then, CancellationToken cancellationToken) =>
        then.AssigneeId is { } a && await db.Set<WorkspaceMember>().AnyAsync(m => m.WorkspaceId == workspaceId && m.UserId == a && m.Active, cancellationToken) ? a : null;

    /// <summary>A ticket priority as the conversation queue's weight (higher is served first).</summary>
    public static int QueueWeight(string priority) => priority switch
    {
        TicketPriority.Low => -1,
        TicketPriority.High => 1,
        TicketPriority.Urgent => 2,
        _ => 0,
    };

    public async Task CustomerWroteAsync(Conversation conversation, Contact contact, string? text, bool automatic, CancellationToken cancellationToken)
    {
        if (automatic)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var linked = await LinkedAsync(conversation, cancellationToken);
        foreach (var ticket in linked)
        {
            var before = ticket.Status;
            ticket.Status = before switch
            {
                TicketStatus.PendingCustomer => TicketStatus.InProgress,
                TicketStatus.Resolved or TicketStatus.ProposedResolution => TicketStatus.Open,
                _ => before,
            };
            ticket.UpdatedAt = now;
            tickets.AddEvent(ticket, null, TicketEventKinds.CustomerReplied, new { conversationId = conversation.Id, before, after = ticket.Status }, now);
            if (ticket.Status != before)
            {
                ticket.ResolvedAt = null;
                await sla.StatusChangedAsync(ticket, before, cancellationToken);
            }
            await sla.CustomerWroteAsync(ticket, cancellationToken);
        }
        await FollowUpAsync(conversation, contact, text, linked, cancellationToken);
    }

    public async Task AgentRepliedAsync(Conversation conversation, Guid agentId, CancellationToken cancellationToken)
    {
        foreach (var ticket in await LinkedAsync(conversation, cancellationToken))
        {
            await sla.RespondedAsync(ticket, cancellationToken);
        }
    }

    // The conversation's tickets that are not closed (a closed ticket stays closed; a new message is a new matter).
    private async Task<List<Ticket>> LinkedAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        var linked = db.Set<TicketConversation>().Where(l => l.ConversationId == conversation.Id).Select(l => l.TicketId);
        // An auto-closed (blacklisted) ticket stays resolved: TKT-5's rule is not undone by the sender writing again.
        return await db.Set<Ticket>().Where(t => linked.Contains(t.Id) && t.Status != TicketStatus.Closed && t.AutoClosedReason == null).ToListAsync(cancellationToken);
    }

    private static string SubjectOf(string? message, Contact contact)
    {
        var text = string.Join(' ', (message ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length == 0)
        {
            return contact.Name ?? contact.Email ?? "—";
        }
        return text.Length <= SubjectLength ? text : string.Concat(text.AsSpan(0, SubjectLength - 1), "…");
    }
}
