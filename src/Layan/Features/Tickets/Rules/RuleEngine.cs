using Layan.Features.Tickets.Sla;

namespace Layan.Features.Tickets.Rules;

/// <summary>
/// TKT-3: which inbound messages a rule reads: the first message of a new conversation (the
/// default), or every message from the customer (the first included; automatic replies never).
/// </summary>
internal static class RuleTriggers
{
    public const string NewConversation = "new_conversation";
    public const string EveryMessage = "every_message";

    public static IReadOnlyList<string> All { get; } = [NewConversation, EveryMessage];
}

/// <summary>TKT-3: whether the first matching rule fires, or every matching one in order.</summary>
internal static class RuleMatch
{
    public const string First = "first";
    public const string All = "all";
}

/// <summary>
/// What a rule asks of an inbound message; every condition given must hold (none given: always).
/// Keywords: any of them in the text, ignoring case. Contact: an exact email, a domain
/// (<c>@example.com</c>) or a phone number. Business hours: on the calendar named, or the default
/// policy's (none: 24x7, always open). <see cref="On"/>: a <see cref="RuleTriggers"/> value (null: a new conversation).
/// </summary>
internal sealed record RuleConditions(
    string? Channel = null, IReadOnlyList<string>? Keywords = null, string? Contact = null, Guid? DepartmentId = null,
    bool? InBusinessHours = null, Guid? CalendarId = null, string? On = null);

/// <summary>What a rule does: to the conversation (department, label, priority in the queue) and to its ticket (made when <see cref="CreateTicket"/>).</summary>
internal sealed record RuleActions(
    string? Priority = null, int? Severity = null, Guid? LabelId = null, Guid? DepartmentId = null, Guid? AssigneeId = null, bool CreateTicket = false);

/// <summary>An inbound message as the rules see it; <see cref="FollowUp"/> when it is not the first of its conversation.</summary>
internal sealed record InboundFacts(string Channel, string? Text, string? Email, string? Phone, Guid DepartmentId, DateTimeOffset At, bool FollowUp = false);

/// <summary>One rule, in its place in the workspace's order.</summary>
internal sealed record RuleDefinition(Guid Id, string Name, bool Enabled, RuleConditions Conditions, RuleActions Actions);

/// <summary>Which rules fired, and the actions they add up to (a later rule's action overrides an earlier one's).</summary>
internal sealed record RuleOutcome(IReadOnlyList<Guid> Fired, RuleActions Actions);

/// <summary>
/// TKT-3's pure part: rules in order against one inbound message. Loop-safe by construction: rules
/// read only the inbound message as it arrived (never what another rule did to it) and their actions
/// make no message, so nothing a rule does can make a rule run again.
/// </summary>
internal static class RuleEngine
{
    public static RuleOutcome Evaluate(IReadOnlyList<RuleDefinition> rules, string match, InboundFacts facts, Func<Guid?, BusinessCalendar?> calendarOf)
    {
        var fired = new List<Guid>();
        var actions = new RuleActions();
        foreach (var rule in rules.Where(r => r.Enabled))
        {
            if (!Holds(rule.Conditions, facts, calendarOf))
            {
                continue;
            }
            fired.Add(rule.Id);
            var add = rule.Actions;
            actions = new RuleActions(
                add.Priority ?? actions.Priority, add.Severity ?? actions.Severity, add.LabelId ?? actions.LabelId,
                add.DepartmentId ?? actions.DepartmentId, add.AssigneeId ?? actions.AssigneeId, add.CreateTicket || actions.CreateTicket);
            if (match == RuleMatch.First)
            {
                break;
            }
        }
        return new RuleOutcome(fired, actions);
    }

    public static bool Holds(RuleConditions when, InboundFacts facts, Func<Guid?, BusinessCalendar?> calendarOf)
    {
        if (facts.FollowUp && when.On != RuleTriggers.EveryMessage)
        {
            return false;
        }
        if (when.Channel is { } channel && channel != facts.Channel)
        {
            return false;
        }
        if (when.Keywords is { Count: > 0 } keywords && !keywords.Any(k => (facts.Text ?? "").Contains(k, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }
        if (when.Contact is { } contact && !ContactMatches(contact, facts))
        {
            return false;
        }
        if (when.DepartmentId is { } department && department != facts.DepartmentId)
        {
            return false;
        }
        if (when.InBusinessHours is { } inHours && (calendarOf(when.CalendarId)?.IsOpen(facts.At) ?? true) != inHours)
        {
            return false;
        }
        return true;
    }

    // An exact email, a whole domain ("@example.com"), or a phone number; all already normalized.
    private static bool ContactMatches(string contact, InboundFacts facts) =>
        contact.StartsWith('@')
            ? facts.Email?.EndsWith(contact, StringComparison.Ordinal) ?? false
            : contact == facts.Email || contact == facts.Phone;
}
