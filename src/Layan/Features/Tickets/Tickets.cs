using System.Globalization;
using System.Text.Json;
using Layan.Features.Accounts;
using Layan.Features.Inbox;
using Layan.Features.Tickets.Sla;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Tickets;

internal static class TicketErrors
{
    public const string SubjectRequired = "subject_required";
    public const string DescriptionTooLong = "description_too_long";
    public const string StatusInvalid = "ticket_status_invalid";
    public const string PriorityInvalid = "priority_invalid";
    public const string SeverityInvalid = "severity_invalid";
    public const string AssigneeUnknown = "assignee_unknown";
    public const string DepartmentUnknown = "ticket_department_unknown";
    public const string LabelUnknown = "ticket_label_unknown";
    public const string ConversationUnknown = "conversation_unknown";
    public const string PolicyUnknown = "policy_unknown";
    public const string BodyRequired = "body_required";
    public const string AccessDenied = "ticket_access_denied";
    public const string Changed = "ticket_changed";
    public const string FeatureRequired = "ticket_feature_required";
    public const string PrefixInvalid = "prefix_invalid";
    public const string RolesInvalid = "roles_invalid";
    public const string BlacklistValueInvalid = "blacklist_value_invalid";
    public const string BlacklistDuplicate = "blacklist_duplicate";
    public const string ViewNameRequired = "view_name_required";
    public const string ViewNameTaken = "view_name_taken";
    public const string BulkInvalid = "bulk_invalid";
    public const string TicketUnknown = "ticket_unknown";
    public const string SearchTooLong = "search_too_long";
    public const string ViewShareDenied = "view_share_denied";

    public static IReadOnlyList<string> All { get; } =
    [
        SubjectRequired, DescriptionTooLong, StatusInvalid, PriorityInvalid, SeverityInvalid, AssigneeUnknown, DepartmentUnknown, LabelUnknown,
        ConversationUnknown, PolicyUnknown, BodyRequired, AccessDenied, Changed, FeatureRequired, PrefixInvalid, RolesInvalid,
        BlacklistValueInvalid, BlacklistDuplicate, ViewNameRequired, ViewNameTaken, BulkInvalid, TicketUnknown, SearchTooLong, ViewShareDenied,
    ];
}

/// <summary>What a new ticket or a change of one says; null fields are left as they are (or defaulted on create).</summary>
internal sealed record TicketInput(
    string? Subject = null, string? Description = null, string? Status = null, string? Priority = null, int? Severity = null,
    Guid? AssigneeId = null, bool ClearAssignee = false, Guid? DepartmentId = null, IReadOnlyList<Guid>? LabelIds = null,
    Guid? ConversationId = null, Guid? PolicyId = null);

/// <summary>X-2: the ticket list's filters, all on the server.</summary>
internal sealed record TicketFilter(string? Status = null, string? Priority = null, string? Assignee = null, bool Breached = false, string? Search = null, int Page = 1);

internal sealed record SlaClockItem(string Target, int Cycle, DateTimeOffset StartedAt, DateTimeOffset? DueAt, bool Paused, DateTimeOffset? MetAt, DateTimeOffset? WarnedAt, DateTimeOffset? BreachedAt, bool Stopped);

internal sealed record TicketSummary(
    Guid Id, long Number, string Key, string Subject, string Status, string Priority, int Severity, Guid? AssigneeId, string? AssigneeName,
    Guid? DepartmentId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? NextDue, bool Breached, string? AutoClosedReason);

internal sealed record TicketList(IReadOnlyList<TicketSummary> Items, int Total, int Page, int PageSize);

internal sealed record TimelineItem(DateTimeOffset At, Guid? ActorId, string? ActorName, string Kind, JsonElement? Data);

internal sealed record TicketDetail(
    TicketSummary Summary, string? Description, Guid? ContactId, Guid? PolicyId, IReadOnlyList<Guid> LabelIds, IReadOnlyList<Guid> ConversationIds,
    IReadOnlyList<SlaClockItem> Clocks, IReadOnlyList<TimelineItem> Timeline, bool CanEdit);

/// <summary>
/// TKT-1, TKT-4: tickets from creation to closed. Numbers are given per workspace with the
/// settings row held, so two tickets made at once never share one; every change is written to the
/// timeline with before and after, in the same transaction as the SLA clocks it moves.
/// </summary>
internal sealed class Tickets(LayanDbContext db, TicketSettingsService settings, SlaEngine sla, Entitlements entitlements, TimeProvider clock)
{
    public const int PageSize = 25;
    public const int MaxSubject = 200;
    public const int MaxDescription = 10_000;

    /// <summary>A ticket's number as people read it: <c>CS-000123</c>.</summary>
    public static string Key(string prefix, long number) => $"{prefix}-{number.ToString("D6", CultureInfo.InvariantCulture)}";

    /// <summary>A member makes a ticket (needs the Ticket feature).</summary>
    public async Task<Result<TicketDetail>> CreateAsync(WorkspaceMembership access, TicketInput input, CancellationToken cancellationToken)
    {
        if (!await entitlements.SubscribedAsync(access.WorkspaceId, PlanFeatures.Ticket, cancellationToken))
        {
            return new Failure(TicketErrors.FeatureRequired);
        }
        var errors = await CheckAsync(access, input, creating: true, cancellationToken);
        if (errors.Count > 0)
        {
            return Result<TicketDetail>.Failed(errors);
        }
        var contact = input.ConversationId is { } c ? await db.Set<Conversation>().Where(x => x.Id == c).Select(x => (Guid?)x.ContactId).SingleAsync(cancellationToken) : null;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ticket = await OpenAsync(access.WorkspaceId, input, contact, access.Member.UserId, null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await DetailAsync(access, ticket.Number, cancellationToken))!;
    }

    /// <summary>
    /// Makes a ticket in the caller's transaction (TKT-1, and TKT-2 for inbound): its number, its
    /// links, its timeline's first entry, its SLA clocks. Resolved at once with a reason (TKT-5).
    /// </summary>
    internal async Task<Ticket> OpenAsync(Guid workspaceId, TicketInput input, Guid? contactId, Guid? actor, string? autoCloseReason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var number = await settings.NextNumberAsync(workspaceId, cancellationToken);
        var policy = input.PolicyId ?? await db.Set<SlaPolicy>().Where(p => p.IsDefault).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(cancellationToken);
        var ticket = new Ticket
        {
            Number = number,
            Subject = input.Subject!.Trim(),
            Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim(),
            Status = input.Status ?? TicketStatus.Open,
            Priority = input.Priority ?? TicketPriority.Medium,
            Severity = input.Severity ?? 3,
            AssigneeId = input.AssigneeId,
            DepartmentId = input.DepartmentId,
            ContactId = contactId,
            PolicyId = policy,
            CreatedBy = actor,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Add(ticket);
        foreach (var label in input.LabelIds ?? [])
        {
            db.Add(new TicketLabel { TicketId = ticket.Id, LabelId = label });
        }
        if (input.ConversationId is { } conversation)
        {
            db.Add(new TicketConversation { TicketId = ticket.Id, ConversationId = conversation });
        }
        AddEvent(ticket, actor, TicketEventKinds.Created, new { ticket.Subject, ticket.Status, ticket.Priority, ticket.Severity, conversationId = input.ConversationId }, now);
        await sla.StartAsync(ticket, cancellationToken);
        if (ticket.Status != TicketStatus.Open)
        {
            // Made in another status: its clocks move as if it had been opened and moved at once.
            ticket.ResolvedAt = ticket.Status == TicketStatus.Resolved ? now : null;
            await sla.StatusChangedAsync(ticket, TicketStatus.Open, cancellationToken);
        }
        if (autoCloseReason is not null)
        {
            var before = ticket.Status;
            ticket.Status = TicketStatus.Resolved;
            ticket.ResolvedAt = now;
            ticket.AutoClosedReason = autoCloseReason;
            AddEvent(ticket, null, TicketEventKinds.AutoClosed, new { reason = autoCloseReason }, now);
            await sla.StatusChangedAsync(ticket, before, cancellationToken);
        }
        return ticket;
    }

    public async Task<TicketList> ListAsync(WorkspaceMembership access, TicketFilter filter, CancellationToken cancellationToken)
    {
        var page = Math.Max(filter.Page, 1);
        var query = db.Set<Ticket>().AsNoTracking().Where(t => t.WorkspaceId == access.WorkspaceId);
        if (!string.IsNullOrWhiteSpace(filter.Status))
        {
            query = filter.Status == "active" ? query.Where(t => t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed) : query.Where(t => t.Status == filter.Status);
        }
        if (!string.IsNullOrWhiteSpace(filter.Priority))
        {
            query = query.Where(t => t.Priority == filter.Priority);
        }
        if (filter.Assignee == "me")
        {
            query = query.Where(t => t.AssigneeId == access.Member.UserId);
        }
        else if (filter.Assignee == "none")
        {
            query = query.Where(t => t.AssigneeId == null);
        }
        else if (Guid.TryParse(filter.Assignee, out var assignee))
        {
            query = query.Where(t => t.AssigneeId == assignee);
        }
        var clocks = db.Set<TicketSlaClock>();
        if (filter.Breached)
        {
            query = query.Where(t => clocks.Any(c => c.TicketId == t.Id && c.BreachedAt != null && c.MetAt == null && !c.Stopped));
        }
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var text = filter.Search.Trim();
            var number = ParseNumber(text);
            query = number is { } n ? query.Where(t => t.Number == n) : query.Where(t => t.Subject.Contains(text));
        }
        var total = await query.CountAsync(cancellationToken);
        var tickets = await query.OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Number).Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        return new TicketList(await SummariesAsync(access, tickets, cancellationToken), total, page, PageSize);
    }

    /// <summary>One ticket by its number; null when there is none in this workspace.</summary>
    public async Task<TicketDetail?> DetailAsync(WorkspaceMembership access, long number, CancellationToken cancellationToken)
    {
        var ticket = await db.Set<Ticket>().AsNoTracking().SingleOrDefaultAsync(t => t.WorkspaceId == access.WorkspaceId && t.Number == number, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        var summary = (await SummariesAsync(access, [ticket], cancellationToken))[0];
        var labels = await db.Set<TicketLabel>().Where(l => l.TicketId == ticket.Id).Select(l => l.LabelId).ToListAsync(cancellationToken);
        var conversations = await db.Set<TicketConversation>().Where(l => l.TicketId == ticket.Id).Select(l => l.ConversationId).ToListAsync(cancellationToken);
        var clocks = await db.Set<TicketSlaClock>().AsNoTracking().Where(c => c.TicketId == ticket.Id).OrderBy(c => c.StartedAt).ThenBy(c => c.Target).ToListAsync(cancellationToken);
        var events = await db.Set<TicketEvent>().AsNoTracking().Where(e => e.TicketId == ticket.Id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        var actorIds = events.Where(e => e.ActorId is not null).Select(e => e.ActorId!.Value).Distinct().ToList();
        var names = await db.Set<User>().Where(u => actorIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.FullName, cancellationToken);
        var rules = await settings.GetAsync(access, cancellationToken);
        return new TicketDetail(
            summary, ticket.Description, ticket.ContactId, ticket.PolicyId, labels, conversations,
            [.. clocks.Select(c => new SlaClockItem(c.Target, c.Cycle, c.StartedAt, c.DueAt, c.PausedSince is not null, c.MetAt, c.WarnedAt, c.BreachedAt, c.Stopped))],
            [.. events.Select(e => new TimelineItem(e.At, e.ActorId, e.ActorId is { } a ? names.GetValueOrDefault(a) : null, e.Kind, e.Data is null ? null : JsonDocument.Parse(e.Data).RootElement.Clone()))],
            rules.MayEdit(access.Role, ticket.Status));
    }

    /// <summary>Changes a ticket (TKT-4 decides who may); every changed field is in the timeline with before and after.</summary>
    public async Task<Result<TicketDetail>?> UpdateAsync(WorkspaceMembership access, long number, TicketInput input, CancellationToken cancellationToken)
    {
        if (await EditableAsync(access, number, cancellationToken) is not { } found)
        {
            return null;
        }
        if (!found.Succeeded)
        {
            return Result<TicketDetail>.Failed(found.Errors);
        }
        var ticket = found.Value!;
        var errors = await CheckAsync(access, input, creating: false, cancellationToken);
        if (errors.Count > 0)
        {
            return Result<TicketDetail>.Failed(errors);
        }
        var now = clock.GetUtcNow();
        var changes = new TicketChanges();
        var (before, after) = (changes.Before, changes.After);
        void Set<TValue>(string name, TValue current, TValue wanted, Action<TValue> apply) => changes.Set(name, current, wanted, apply);
        var status = ticket.Status;
        var severity = ticket.Severity;
        var priority = ticket.Priority;
        var policy = ticket.PolicyId;
        var inDepartment = ticket.DepartmentId;
        if (input.Subject is { } subject)
        {
            Set("subject", ticket.Subject, subject.Trim(), v => ticket.Subject = v);
        }
        if (input.Description is { } description)
        {
            Set("description", ticket.Description, description.Trim() is { Length: > 0 } d ? d : null, v => ticket.Description = v);
        }
        if (input.Status is { } newStatus)
        {
            Set("status", ticket.Status, newStatus, v => ticket.Status = v);
        }
        if (input.Priority is { } newPriority)
        {
            Set("priority", ticket.Priority, newPriority, v => ticket.Priority = v);
        }
        if (input.Severity is { } newSeverity)
        {
            Set("severity", ticket.Severity, newSeverity, v => ticket.Severity = v);
        }
        if (input.DepartmentId is { } department)
        {
            Set("departmentId", ticket.DepartmentId, department, v => ticket.DepartmentId = v);
        }
        if (input.PolicyId is { } newPolicy)
        {
            Set("policyId", ticket.PolicyId, newPolicy, v => ticket.PolicyId = v);
        }
        if (input.ClearAssignee ? ticket.AssigneeId is not null : input.AssigneeId is { } wantedAssignee && wantedAssignee != ticket.AssigneeId)
        {
            before["assigneeId"] = ticket.AssigneeId;
            after["assigneeId"] = input.ClearAssignee ? null : input.AssigneeId;
            ticket.AssigneeId = input.ClearAssignee ? null : input.AssigneeId;
        }
        if (input.LabelIds is { } labelIds)
        {
            var current = await db.Set<TicketLabel>().Where(l => l.TicketId == ticket.Id).ToListAsync(cancellationToken);
            var wanted = labelIds.Distinct().ToHashSet();
            if (!wanted.SetEquals(current.Select(l => l.LabelId)))
            {
                before["labelIds"] = current.Select(l => l.LabelId).ToList();
                after["labelIds"] = wanted.ToList();
                db.RemoveRange(current.Where(l => !wanted.Contains(l.LabelId)));
                foreach (var added in wanted.Where(w => current.All(l => l.LabelId != w)))
                {
                    db.Add(new TicketLabel { TicketId = ticket.Id, LabelId = added });
                }
            }
        }
        if (after.Count == 0)
        {
            return (await DetailAsync(access, number, cancellationToken))!;
        }
        if (ticket.Status != status)
        {
            ticket.ResolvedAt = ticket.Status == TicketStatus.Resolved ? now : TicketStatus.IsDone(ticket.Status) ? ticket.ResolvedAt : null;
        }
        ticket.UpdatedAt = now;
        AddEvent(ticket, access.Member.UserId, TicketEventKinds.Changed, new { before, after }, now);
        return await SaveAsync(access, ticket, async () =>
        {
            if (ticket.Status != status)
            {
                await sla.StatusChangedAsync(ticket, status, cancellationToken);
            }
            // The department may bring a calendar of its own.
            if (ticket.Severity != severity || ticket.Priority != priority || ticket.PolicyId != policy || ticket.DepartmentId != inDepartment)
            {
                await sla.RetargetAsync(ticket, cancellationToken);
            }
        }, cancellationToken);
    }

    /// <summary>A comment: public (an answer to the customer, which meets the response targets) or an internal note.</summary>
    public async Task<Result<TicketDetail>?> CommentAsync(WorkspaceMembership access, long number, string? body, bool isPublic, CancellationToken cancellationToken)
    {
        if (await EditableAsync(access, number, cancellationToken) is not { } found)
        {
            return null;
        }
        if (!found.Succeeded)
        {
            return Result<TicketDetail>.Failed(found.Errors);
        }
        var ticket = found.Value!;
        var text = body?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxDescription)
        {
            return new Failure(TicketErrors.BodyRequired, "body");
        }
        var now = clock.GetUtcNow();
        ticket.UpdatedAt = now;
        AddEvent(ticket, access.Member.UserId, isPublic ? TicketEventKinds.Comment : TicketEventKinds.Note, new { body = text }, now);
        return await SaveAsync(access, ticket, async () =>
        {
            if (isPublic)
            {
                await sla.RespondedAsync(ticket, cancellationToken);
            }
        }, cancellationToken);
    }

    /// <summary>Links a conversation of the workspace to the ticket (TKT-1).</summary>
    public async Task<Result<TicketDetail>?> LinkAsync(WorkspaceMembership access, long number, Guid conversationId, CancellationToken cancellationToken)
    {
        if (await EditableAsync(access, number, cancellationToken) is not { } found)
        {
            return null;
        }
        if (!found.Succeeded)
        {
            return Result<TicketDetail>.Failed(found.Errors);
        }
        var ticket = found.Value!;
        if (!await InboxQueries.Visible(db, access).AnyAsync(c => c.Id == conversationId, cancellationToken))
        {
            return new Failure(TicketErrors.ConversationUnknown, "conversationId");
        }
        if (await db.Set<TicketConversation>().AnyAsync(l => l.TicketId == ticket.Id && l.ConversationId == conversationId, cancellationToken))
        {
            return (await DetailAsync(access, number, cancellationToken))!;
        }
        var now = clock.GetUtcNow();
        db.Add(new TicketConversation { TicketId = ticket.Id, ConversationId = conversationId });
        ticket.UpdatedAt = now;
        AddEvent(ticket, access.Member.UserId, TicketEventKinds.Linked, new { conversationId }, now);
        return await SaveAsync(access, ticket, () => Task.CompletedTask, cancellationToken);
    }

    // The ticket to change, tracked; a failure when Ticket Access (TKT-4) does not let the member edit it; null when there is none.
    private async Task<Result<Ticket>?> EditableAsync(WorkspaceMembership access, long number, CancellationToken cancellationToken)
    {
        var ticket = await db.Set<Ticket>().SingleOrDefaultAsync(t => t.WorkspaceId == access.WorkspaceId && t.Number == number, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        return (await settings.GetAsync(access, cancellationToken)).MayEdit(access.Role, ticket.Status) ? ticket : new Failure(TicketErrors.AccessDenied);
    }

    internal void AddEvent(Ticket ticket, Guid? actor, string kind, object data, DateTimeOffset at) =>
        db.Add(new TicketEvent { TicketId = ticket.Id, ActorId = actor, Kind = kind, At = at, Data = JsonSerializer.Serialize(data, JsonSerializerOptions.Web) });

    // One transaction around a change and its SLA moves; a concurrent change of the same ticket is "changed", not lost.
    private async Task<Result<TicketDetail>?> SaveAsync(WorkspaceMembership access, Ticket ticket, Func<Task> slaMoves, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await slaMoves();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new Failure(TicketErrors.Changed);
        }
        return (await DetailAsync(access, ticket.Number, cancellationToken))!;
    }

    /// <summary>Whether a change is well-formed for this workspace, before it is applied to any ticket (bulk changes).</summary>
    internal Task<List<Failure>> CheckChangeAsync(WorkspaceMembership access, TicketInput input, CancellationToken cancellationToken) =>
        CheckAsync(access, input, creating: false, cancellationToken);

    private async Task<List<Failure>> CheckAsync(WorkspaceMembership access, TicketInput input, bool creating, CancellationToken cancellationToken)
    {
        var errors = new List<Failure>();
        if (creating ? string.IsNullOrWhiteSpace(input.Subject) : input.Subject is not null && string.IsNullOrWhiteSpace(input.Subject))
        {
            errors.Add(new Failure(TicketErrors.SubjectRequired, "subject"));
        }
        else if (input.Subject?.Trim().Length > MaxSubject || (input.Subject?.Any(char.IsControl) ?? false))
        {
            errors.Add(new Failure(TicketErrors.SubjectRequired, "subject"));
        }
        if (input.Description?.Length > MaxDescription)
        {
            errors.Add(new Failure(TicketErrors.DescriptionTooLong, "description"));
        }
        if (input.Status is not null && !TicketStatus.All.Contains(input.Status))
        {
            errors.Add(new Failure(TicketErrors.StatusInvalid, "status"));
        }
        if (input.Priority is not null && !TicketPriority.All.Contains(input.Priority))
        {
            errors.Add(new Failure(TicketErrors.PriorityInvalid, "priority"));
        }
        if (input.Severity is not null and not (>= 1 and <= 4))
        {
            errors.Add(new Failure(TicketErrors.SeverityInvalid, "severity"));
        }
        if (input.AssigneeId is { } assignee && !await db.Set<WorkspaceMember>().AnyAsync(m => m.WorkspaceId == access.WorkspaceId && m.UserId == assignee && m.Active, cancellationToken))
        {
            errors.Add(new Failure(TicketErrors.AssigneeUnknown, "assigneeId"));
        }
        if (input.DepartmentId is { } department && !await db.Set<Department>().AnyAsync(d => d.Id == department && !d.Revoked, cancellationToken))
        {
            errors.Add(new Failure(TicketErrors.DepartmentUnknown, "departmentId"));
        }
        if (input.LabelIds is { Count: > 0 } labels)
        {
            var wanted = labels.Distinct().ToList();
            if (await db.Set<Label>().CountAsync(l => wanted.Contains(l.Id) && !l.Revoked, cancellationToken) != wanted.Count)
            {
                errors.Add(new Failure(TicketErrors.LabelUnknown, "labelIds"));
            }
        }
        if (input.ConversationId is { } conversation && !await InboxQueries.Visible(db, access).AnyAsync(c => c.Id == conversation, cancellationToken))
        {
            errors.Add(new Failure(TicketErrors.ConversationUnknown, "conversationId"));
        }
        if (input.PolicyId is { } policy && !await db.Set<SlaPolicy>().AnyAsync(p => p.Id == policy, cancellationToken))
        {
            errors.Add(new Failure(TicketErrors.PolicyUnknown, "policyId"));
        }
        return errors;
    }

    private async Task<List<TicketSummary>> SummariesAsync(WorkspaceMembership access, List<Ticket> tickets, CancellationToken cancellationToken)
    {
        var ids = tickets.Select(t => t.Id).ToList();
        var clocks = await db.Set<TicketSlaClock>().AsNoTracking().Where(c => ids.Contains(c.TicketId)).ToListAsync(cancellationToken);
        var assignees = tickets.Where(t => t.AssigneeId is not null).Select(t => t.AssigneeId!.Value).Distinct().ToList();
        var names = await db.Set<User>().Where(u => assignees.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.FullName, cancellationToken);
        var prefix = (await settings.GetAsync(access, cancellationToken)).Prefix;
        return [.. tickets.Select(t =>
        {
            var own = clocks.Where(c => c.TicketId == t.Id && c.Running).ToList();
            return new TicketSummary(
                t.Id, t.Number, Key(prefix, t.Number), t.Subject, t.Status, t.Priority, t.Severity, t.AssigneeId,
                t.AssigneeId is { } a ? names.GetValueOrDefault(a) : null, t.DepartmentId, t.CreatedAt, t.UpdatedAt,
                own.Where(c => c.DueAt is not null).Select(c => c.DueAt).Min(), own.Any(c => c.BreachedAt is not null), t.AutoClosedReason);
        })];
    }

    // "CS-000123", "000123" or "123" → 123.
    private static long? ParseNumber(string text)
    {
        var digits = text.Contains('-', StringComparison.Ordinal) ? text[(text.LastIndexOf('-') + 1)..] : text;
        return digits.Length is > 0 and <= 18 && digits.All(char.IsAsciiDigit) ? long.Parse(digits, CultureInfo.InvariantCulture) : null;
    }
}

/// <summary>A ticket's fields as a change leaves them: each one that moved, before and after, for the timeline.</summary>
internal sealed class TicketChanges
{
    public Dictionary<string, object?> Before { get; } = [];

    public Dictionary<string, object?> After { get; } = [];

    public bool Any => After.Count > 0;

    /// <summary>Applies <paramref name="wanted"/> when it differs from <paramref name="current"/>, and records both.</summary>
    public void Set<TValue>(string name, TValue current, TValue wanted, Action<TValue> apply)
    {
        if (!EqualityComparer<TValue>.Default.Equals(current, wanted))
        {
            Before[name] = current;
            After[name] = wanted;
            apply(wanted);
        }
    }
}
