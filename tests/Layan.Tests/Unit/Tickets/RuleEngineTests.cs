using Layan.Features.Tickets.Rules;
using Layan.Features.Tickets.Sla;
using Shouldly;

namespace Layan.Tests.Unit.Tickets;

// Covers TKT-3's rule choice: each condition alone (holds / does not), conditions together, first-
// match and all-match with later actions overriding earlier ones, disabled rules, business hours on
// a calendar or (none) 24x7.
public sealed class RuleEngineTests
{
    private static readonly Guid Sales = Guid.NewGuid();
    private static readonly Guid Support = Guid.NewGuid();
    private static readonly Guid Office = Guid.NewGuid();

    // Monday 2026-11-23 10:00 UTC; the office calendar is Monday–Friday 09:00–17:00 UTC.
    private static readonly DateTimeOffset MondayMorning = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset MondayNight = new(2026, 11, 23, 20, 0, 0, TimeSpan.Zero);

    private static readonly BusinessCalendar OfficeHours = new(
        TimeZoneInfo.Utc,
        Enumerable.Range(1, 5).Select(d => new OpeningRange((DayOfWeek)d, new TimeOnly(9, 0), new TimeOnly(17, 0))),
        []);

    private static BusinessCalendar? CalendarOf(Guid? id) => id == Office ? OfficeHours : null;

    private static InboundFacts Facts(string text = "Hello", string? email = "rina@shop.example", string? phone = null, string channel = "web_chat", DateTimeOffset? at = null) =>
        new(channel, text, email, phone, Sales, at ?? MondayMorning);

    private static readonly Dictionary<string, (RuleConditions When, bool Holds)> Cases = new()
    {
        ["nothing asked"] = (new RuleConditions(), true),
        ["channel matches"] = (new RuleConditions(Channel: "web_chat"), true),
        ["channel differs"] = (new RuleConditions(Channel: "email"), false),
        ["keyword in the text, other case"] = (new RuleConditions(Keywords: ["REFUND"]), true),
        ["one of several keywords"] = (new RuleConditions(Keywords: ["invoice", "refund"]), true),
        ["no keyword in the text"] = (new RuleConditions(Keywords: ["invoice"]), false),
        ["exact email"] = (new RuleConditions(Contact: "rina@shop.example"), true),
        ["other email"] = (new RuleConditions(Contact: "ana@shop.example"), false),
        ["email's domain"] = (new RuleConditions(Contact: "@shop.example"), true),
        ["other domain"] = (new RuleConditions(Contact: "@other.example"), false),
        ["a domain is not a substring of another"] = (new RuleConditions(Contact: "@op.example"), false),
        ["phone when the sender has none"] = (new RuleConditions(Contact: "+628123456789"), false),
        ["department matches"] = (new RuleConditions(DepartmentId: Sales), true),
        ["department differs"] = (new RuleConditions(DepartmentId: Support), false),
        ["inside hours on the office calendar"] = (new RuleConditions(InBusinessHours: true, CalendarId: Office), true),
        ["outside hours asked, inside"] = (new RuleConditions(InBusinessHours: false, CalendarId: Office), false),
        ["24x7 is always inside"] = (new RuleConditions(InBusinessHours: true), true),
        ["24x7 is never outside"] = (new RuleConditions(InBusinessHours: false), false),
        ["all of them hold"] = (new RuleConditions("web_chat", ["refund"], "@shop.example", Sales, true, Office), true),
        ["one of them fails"] = (new RuleConditions("web_chat", ["refund"], "@shop.example", Support, true, Office), false),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void A_condition_holds_or_not(string why) =>
        RuleEngine.Holds(Cases[why].When, Facts("I want a refund"), CalendarOf).ShouldBe(Cases[why].Holds, why);

    [Fact]
    public void Outside_business_hours_holds_at_night_and_on_weekends()
    {
        var outside = new RuleConditions(InBusinessHours: false, CalendarId: Office);
        RuleEngine.Holds(outside, Facts(at: MondayNight), CalendarOf).ShouldBeTrue();
        RuleEngine.Holds(outside, Facts(at: MondayMorning.AddDays(5)), CalendarOf).ShouldBeTrue(); // Saturday
    }

    [Fact]
    public void A_phone_number_matches_the_sender_s()
    {
        RuleEngine.Holds(new RuleConditions(Contact: "+628123456789"), Facts(email: null, phone: "+628123456789"), CalendarOf).ShouldBeTrue();
    }

    private static readonly RuleDefinition Refunds = new(Guid.NewGuid(), "Refunds", true, new RuleConditions(Keywords: ["refund"]), new RuleActions(Priority: "high", CreateTicket: true));
    private static readonly RuleDefinition Vip = new(Guid.NewGuid(), "VIP", true, new RuleConditions(Contact: "@shop.example"), new RuleActions(Priority: "urgent", DepartmentId: Support));
    private static readonly RuleDefinition Off = new(Guid.NewGuid(), "Off", false, new RuleConditions(), new RuleActions(Severity: 1));

    [Fact]
    public void First_match_fires_only_the_first_rule_that_holds()
    {
        var outcome = RuleEngine.Evaluate([Off, Refunds, Vip], RuleMatch.First, Facts("refund please"), CalendarOf);

        outcome.Fired.ShouldBe([Refunds.Id]);
        outcome.Actions.ShouldBe(new RuleActions(Priority: "high", CreateTicket: true));
    }

    [Fact]
    public void All_match_fires_every_rule_that_holds_in_order_later_actions_winning()
    {
        var outcome = RuleEngine.Evaluate([Refunds, Off, Vip], RuleMatch.All, Facts("refund please"), CalendarOf);

        outcome.Fired.ShouldBe([Refunds.Id, Vip.Id]);
        outcome.Actions.ShouldBe(new RuleActions(Priority: "urgent", DepartmentId: Support, CreateTicket: true));
    }

    [Fact]
    public void No_rule_holds_and_nothing_is_done()
    {
        var outcome = RuleEngine.Evaluate([Refunds, Vip, Off], RuleMatch.All, Facts("hello", email: "x@else.example"), CalendarOf);

        outcome.Fired.ShouldBeEmpty();
        outcome.Actions.ShouldBe(new RuleActions());
    }
}
