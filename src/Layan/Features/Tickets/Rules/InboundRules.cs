using System.Text.Json;
using Layan.Features.Inbox;
using Layan.Features.Tickets.Sla;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Tickets.Rules;

/// <summary>TKT-3: one rule of the workspace, its conditions and actions as JSON.</summary>
internal sealed class TicketRule : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public required string Name { get; set; }

    public int Position { get; set; }

    public bool Enabled { get; set; } = true;

    public string Conditions { get; set; } = "{}";

    public string Actions { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; init; }

    public RuleDefinition ToDefinition() => new(
        Id, Name, Enabled,
        JsonSerializer.Deserialize<RuleConditions>(Conditions, JsonSerializerOptions.Web)!,
        JsonSerializer.Deserialize<RuleActions>(Actions, JsonSerializerOptions.Web)!);
}

internal sealed class TicketRuleConfiguration : IEntityTypeConfiguration<TicketRule>
{
    public void Configure(EntityTypeBuilder<TicketRule> builder)
    {
        builder.ToTable("TicketRules");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Name).HasMaxLength(100);
        builder.Property(r => r.Conditions).HasMaxLength(4000);
        builder.Property(r => r.Actions).HasMaxLength(2000);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(r => r.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.WorkspaceId, r.Position });
    }
}

internal static class RuleErrors
{
    public const string NameRequired = "rule_name_required";
    public const string ChannelInvalid = "rule_channel_invalid";
    public const string KeywordsInvalid = "rule_keywords_invalid";
    public const string ContactInvalid = "rule_contact_invalid";
    public const string ActionsRequired = "rule_actions_required";
    public const string OrderInvalid = "rule_order_invalid";
    public const string MatchInvalid = "rule_match_invalid";
    public const string LimitReached = "rule_limit_reached";
    public const string TriggerInvalid = "rule_trigger_invalid";

    public static IReadOnlyList<string> All { get; } = [NameRequired, ChannelInvalid, KeywordsInvalid, ContactInvalid, ActionsRequired, OrderInvalid, MatchInvalid, LimitReached, TriggerInvalid];
}

/// <summary>The channels a rule may name: the web chat now, the kinds of the channels issue to come.</summary>
internal static class RuleChannels
{
    public static IReadOnlyList<string> All { get; } = [ChannelKinds.WebChat, "email", "whatsapp", "telegram", "messenger", "instagram", "facebook_comment", "instagram_comment"];
}

internal sealed record RuleInput(string? Name, bool? Enabled, RuleConditions? Conditions, RuleActions? Actions);

internal sealed record RuleItem(Guid Id, string Name, int Position, bool Enabled, RuleConditions Conditions, RuleActions Actions);

internal sealed record RuleTestInput(string? Channel, string? Text, string? Email, string? Phone, Guid? DepartmentId, DateTimeOffset? At, bool FollowUp = false);

internal sealed record FiredRule(Guid Id, string Name);

internal sealed record RuleTestResult(IReadOnlyList<FiredRule> Fired, RuleActions Actions, string Match);

/// <summary>
/// TKT-3: the workspace's ordered rules for inbound messages, and the test panel that shows which
/// would fire for a sample message. Rules are a Ticket setting: changing them needs the feature, and
/// while it has lapsed they do not run (they are kept).
/// </summary>
internal sealed class InboundRules(LayanDbContext db, Entitlements entitlements, AuditLog audit, TimeProvider clock)
{
    public const int MaxRules = 100;
    public const int MaxKeywords = 20;

    public async Task<IReadOnlyList<RuleItem>> ListAsync(WorkspaceMembership access, CancellationToken cancellationToken) =>
        [.. (await RowsAsync(access.WorkspaceId, cancellationToken)).Select(Item)];

    /// <summary>Creates a rule (at the end of the order), or with <paramref name="id"/> changes one; null when there is no such rule.</summary>
    public async Task<Result<RuleItem>?> SaveAsync(WorkspaceMembership access, Guid? id, RuleInput input, CancellationToken cancellationToken)
    {
        var row = id is { } existing ? await db.Set<TicketRule>().SingleOrDefaultAsync(r => r.WorkspaceId == access.WorkspaceId && r.Id == existing, cancellationToken) : null;
        if (id is not null && row is null)
        {
            return null;
        }
        if (!await entitlements.SubscribedAsync(access.WorkspaceId, PlanFeatures.Ticket, cancellationToken))
        {
            return new Failure(TicketErrors.FeatureRequired);
        }
        var (conditions, actions, errors) = await CheckAsync(access, input, creating: row is null, cancellationToken);
        if (errors.Count > 0)
        {
            return Result<RuleItem>.Failed(errors);
        }
        if (row is null)
        {
            var count = await db.Set<TicketRule>().CountAsync(r => r.WorkspaceId == access.WorkspaceId, cancellationToken);
            row = new TicketRule { Name = input.Name!.Trim(), Position = count, CreatedAt = clock.GetUtcNow() };
            db.Add(row);
        }
        var before = id is null ? null : Item(row);
        row.Name = input.Name!.Trim();
        row.Enabled = input.Enabled ?? row.Enabled;
        row.Conditions = JsonSerializer.Serialize(conditions, JsonSerializerOptions.Web);
        row.Actions = JsonSerializer.Serialize(actions, JsonSerializerOptions.Web);
        audit.Record(id is null ? "tickets.rule.created" : "tickets.rule.changed", $"tickets/rules/{row.Id}", before, Item(row), actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return Item(row);
    }

    public async Task<bool> DeleteAsync(WorkspaceMembership access, Guid id, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(access.WorkspaceId, cancellationToken);
        if (rows.SingleOrDefault(r => r.Id == id) is not { } row)
        {
            return false;
        }
        db.Remove(row);
        Renumber(rows.Where(r => r.Id != id));
        audit.Record("tickets.rule.deleted", $"tickets/rules/{row.Id}", Item(row), null, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Puts the rules in the order given (every rule of the workspace, once).</summary>
    public async Task<Result<IReadOnlyList<RuleItem>>> OrderAsync(WorkspaceMembership access, IReadOnlyList<Guid>? ids, CancellationToken cancellationToken)
    {
        var rows = await RowsAsync(access.WorkspaceId, cancellationToken);
        if (ids is null || ids.Count != rows.Count || !ids.ToHashSet().SetEquals(rows.Select(r => r.Id)))
        {
            return new Failure(RuleErrors.OrderInvalid, "ids");
        }
        Renumber(ids.Select(id => rows.Single(r => r.Id == id)));
        await db.SaveChangesAsync(cancellationToken);
        return Result<IReadOnlyList<RuleItem>>.From(await ListAsync(access, cancellationToken));
    }

    /// <summary>The test panel: which rules a sample message would fire, and what they would do.</summary>
    public async Task<Result<RuleTestResult>> TestAsync(WorkspaceMembership access, RuleTestInput input, CancellationToken cancellationToken)
    {
        if (input.Channel is not null && !RuleChannels.All.Contains(input.Channel))
        {
            return new Failure(RuleErrors.ChannelInvalid, "channel");
        }
        var facts = new InboundFacts(
            input.Channel ?? ChannelKinds.WebChat, input.Text, TicketSettingsService.Normalize(input.Email)?.Value, TicketSettingsService.Normalize(input.Phone)?.Value,
            input.DepartmentId ?? Guid.Empty, input.At ?? clock.GetUtcNow(), input.FollowUp);
        var (outcome, match) = await EvaluateAsync(access.WorkspaceId, facts, cancellationToken);
        var names = (await RowsAsync(access.WorkspaceId, cancellationToken)).ToDictionary(r => r.Id, r => r.Name);
        return new RuleTestResult([.. outcome.Fired.Select(id => new FiredRule(id, names[id]))], outcome.Actions, match);
    }

    /// <summary>The rules against one inbound message of the workspace, with the calendars they name.</summary>
    public async Task<(RuleOutcome Outcome, string Match)> EvaluateAsync(Guid workspaceId, InboundFacts facts, CancellationToken cancellationToken)
    {
        var rules = (await RowsAsync(workspaceId, cancellationToken)).Select(r => r.ToDefinition()).ToList();
        var match = await db.Set<TicketSettings>().Where(s => s.WorkspaceId == workspaceId).Select(s => s.RulesMatch).SingleOrDefaultAsync(cancellationToken) ?? RuleMatch.First;
        if (rules.Count == 0)
        {
            return (new RuleOutcome([], new RuleActions()), match);
        }
        var calendars = (await db.Set<SlaCalendar>().Where(c => c.WorkspaceId == workspaceId).ToListAsync(cancellationToken)).ToDictionary(c => c.Id, c => c.ToCalendar());
        var fallback = await (from p in db.Set<SlaPolicy>() where p.WorkspaceId == workspaceId && p.IsDefault select p.CalendarId).FirstOrDefaultAsync(cancellationToken);
        BusinessCalendar? CalendarOf(Guid? id) => (id ?? fallback) is { } chosen ? calendars.GetValueOrDefault(chosen) : null;
        return (RuleEngine.Evaluate(rules, match, facts, CalendarOf), match);
    }

    private async Task<(RuleConditions, RuleActions, List<Failure>)> CheckAsync(WorkspaceMembership access, RuleInput input, bool creating, CancellationToken cancellationToken)
    {
        var errors = new List<Failure>();
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 100)
        {
            errors.Add(new Failure(RuleErrors.NameRequired, "name"));
        }
        var when = input.Conditions ?? new RuleConditions();
        var then = input.Actions ?? new RuleActions();
        if (when.Channel is { } channel && !RuleChannels.All.Contains(channel))
        {
            errors.Add(new Failure(RuleErrors.ChannelInvalid, "conditions.channel"));
        }
        if (when.On is { } on && !RuleTriggers.All.Contains(on))
        {
            errors.Add(new Failure(RuleErrors.TriggerInvalid, "conditions.on"));
        }
        var keywords = when.Keywords?.Select(k => k?.Trim() ?? "").ToList();
        if (keywords is not null && (keywords.Count > MaxKeywords || keywords.Any(k => k.Length is 0 or > 100)))
        {
            errors.Add(new Failure(RuleErrors.KeywordsInvalid, "conditions.keywords"));
        }
        var contact = when.Contact?.Trim().ToLowerInvariant();
        if (contact is not null && !(contact.StartsWith('@') && contact.Length > 3 && contact.IndexOf('.', StringComparison.Ordinal) > 1 && !contact[1..].Contains('@', StringComparison.Ordinal)))
        {
            contact = TicketSettingsService.Normalize(when.Contact)?.Value;
            if (contact is null)
            {
                errors.Add(new Failure(RuleErrors.ContactInvalid, "conditions.contact"));
            }
        }
        if (when.DepartmentId is { } inDepartment && !await db.Set<Department>().AnyAsync(d => d.Id == inDepartment, cancellationToken))
        {
            errors.Add(new Failure(TicketErrors.DepartmentUnknown, "conditions.departmentId"));
        }
        if (when.CalendarId is { } calendar && !await db.Set<SlaCalendar>().AnyAsync(c => c.Id == calendar, cancellationToken))
        {
            errors.Add(new Failure(SlaSetupErrors.CalendarUnknown, "conditions.calendarId"));
        }
        if (then == new RuleActions())
        {
            errors.Add(new Failure(RuleErrors.ActionsRequired, "actions"));
        }
        if (then.Priority is not null && !TicketPriority.All.Contains(then.Priority))
        {
            errors.Add(new Failure(TicketErrors.PriorityInvalid, "actions.priority"));
        }
        if (then.Severity is not null and not (>= 1 and <= 4))
        {
            errors.Add(new Failure(TicketErrors.SeverityInvalid, "actions.severity"));
        }
        if (then.LabelId is { } label && !await db.Set<Label>().AnyAsync(l => l.Id == label && !l.Revoked, cancellationToken))
        {
            errors.Add(new Failure(TicketErrors.LabelUnknown, "actions.labelId"));
        }
        if (then.DepartmentId is { } toDepartment && !await db.Set<Department>().AnyAsync(d => d.Id == toDepartment && !d.Revoked, cancellationToken))
        {
            errors.Add(new Failure(TicketErrors.DepartmentUnknown, "actions.departmentId"));
        }
        if (then.AssigneeId is { } assignee && !await db.Set<WorkspaceMember>().AnyAsync(m => m.WorkspaceId == access.WorkspaceId && m.UserId == assignee && m.Active, cancellationToken))
        {
            errors.Add(new Failure(TicketErrors.AssigneeUnknown, "actions.assigneeId"));
        }
        if (creating && await db.Set<TicketRule>().CountAsync(r => r.WorkspaceId == access.WorkspaceId, cancellationToken) >= MaxRules)
        {
            errors.Add(new Failure(RuleErrors.LimitReached));
        }
        return (when with { Keywords = keywords is { Count: > 0 } ? keywords : null, Contact = contact, On = when.On == RuleTriggers.NewConversation ? null : when.On }, then, errors);
    }

    private async Task<List<TicketRule>> RowsAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        await db.Set<TicketRule>().Where(r => r.WorkspaceId == workspaceId).OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ToListAsync(cancellationToken);

    private static void Renumber(IEnumerable<TicketRule> ordered)
    {
        var position = 0;
        foreach (var row in ordered)
        {
            row.Position = position++;
        }
    }

    private static RuleItem Item(TicketRule row)
    {
        var definition = row.ToDefinition();
        return new RuleItem(row.Id, row.Name, row.Position, row.Enabled, definition.Conditions, definition.Actions);
    }
}
