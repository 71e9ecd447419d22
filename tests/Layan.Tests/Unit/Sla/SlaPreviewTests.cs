using System.Text.Json;
using Layan.Features.Tickets.Sla;
using Layan.Infrastructure;
using Shouldly;
using static Layan.Tests.Unit.Sla.Calendars;

namespace Layan.Tests.Unit.Sla;

// Covers TKT-6's SLA preview: the request body of POST /api/v1/sla/preview, its validation field by
// field (invalid zones, malformed or overlapping hours, bad dates and instants, amounts, units,
// pauses) and the due it answers, starting with the example of the issue.
public sealed class SlaPreviewTests
{
    private const string IssueExample = """
        {
          "calendar": {
            "timeZone": "America/New_York",
            "hours": [
              { "day": "Monday", "open": "09:00", "close": "17:00" },
              { "day": "Tuesday", "open": "09:00", "close": "17:00" },
              { "day": "Wednesday", "open": "09:00", "close": "17:00" },
              { "day": "Thursday", "open": "09:00", "close": "17:00" },
              { "day": "Friday", "open": "09:00", "close": "17:00" }
            ],
            "holidays": [ "2025-12-25" ]
          },
          "start": "2025-06-07T14:00:00Z",
          "target": { "amount": 2, "unit": "businessDays" },
          "pauses": []
        }
        """;

    private static readonly SlaPreviewHours Monday = new("Monday", "09:00", "17:00");

    // Mon–Fri 09–17 in New York from Saturday 2025-06-07 10:00 local, 2 business days.
    private static readonly SlaPreviewRequest Valid = new(
        new SlaPreviewCalendar("America/New_York", [.. Weekdays.Select(d => new SlaPreviewHours(d.ToString(), "09:00", "17:00"))], ["2025-12-25"]),
        "2025-06-07T14:00:00Z",
        new SlaPreviewTarget(2, "businessDays"),
        []);

    [Fact]
    public void The_issue_example_is_due_Tuesday_at_10_00_in_New_York()
    {
        var request = JsonSerializer.Deserialize<SlaPreviewRequest>(IssueExample, JsonSerializerOptions.Web);

        var answer = SlaPreview.Evaluate(request);

        answer.Succeeded.ShouldBeTrue();
        JsonSerializer.Serialize(answer.Value, JsonSerializerOptions.Web).ShouldBe("""{"due":"2025-06-10T14:00:00Z"}""");
    }

    [Fact]
    public void A_valid_request_becomes_a_calendar_a_start_a_target_and_pauses()
    {
        var input = SlaPreview.Validate(Valid with { Pauses = [new SlaPreviewPause("2025-06-09T13:00:00Z", "2025-06-09T15:00:00+00:00")] });

        input.Errors.ShouldBeEmpty();
        var value = input.Value!;
        value.Calendar!.Zone.Id.ShouldBe("America/New_York");
        value.Calendar.IsOpen(At("2025-06-09T09:00-04:00")).ShouldBeTrue();
        value.Calendar.IsOpen(At("2025-12-25T10:00-05:00")).ShouldBeFalse();
        value.Start.ShouldBe(At("2025-06-07T14:00:00Z"));
        value.Target.ShouldBe(new SlaTarget(2, SlaUnit.BusinessDays));
        value.Pauses.ShouldBe([new Pause(At("2025-06-09T13:00:00Z"), At("2025-06-09T15:00:00Z"))]);
    }

    [Theory]
    [InlineData("minutes", "2025-06-07T14:02:00Z")]
    [InlineData("hours", "2025-06-07T16:00:00Z")]
    [InlineData("businessHours", "2025-06-09T15:00:00Z")] // Monday 11:00 EDT
    [InlineData("businessDays", "2025-06-10T14:00:00Z")]
    [InlineData("endOfBusinessDay", "2025-06-10T21:00:00Z")] // Tuesday 17:00 EDT
    [InlineData("BusinessDays", "2025-06-10T14:00:00Z")] // names ignore case
    public void Each_unit_is_named_as_in_the_API(string unit, string due) =>
        DueOf(Valid with { Target = new SlaPreviewTarget(2, unit) }).ShouldBe(At(due));

    [Fact]
    public void Without_a_calendar_the_clock_is_24x7() =>
        DueOf(Valid with { Calendar = null, Start = "2025-03-09T05:30:00Z", Target = new SlaPreviewTarget(4, "businessHours") })
            .ShouldBe(At("2025-03-09T09:30:00Z"));

    [Fact]
    public void Pauses_hold_the_clock() =>
        DueOf(Valid with { Pauses = [new SlaPreviewPause("2025-06-09T13:00:00Z", "2025-06-09T15:00:00Z")] }) // Monday 09:00–11:00 EDT
            .ShouldBe(At("2025-06-10T16:00:00Z"));

    [Theory]
    [InlineData("24:00")]
    [InlineData("00:00")]
    public void A_range_may_close_at_midnight(string close) =>
        DueOf(Valid with
        {
            Calendar = Valid.Calendar! with { Hours = [new SlaPreviewHours("saturday", "20:00", close)] },
            Target = new SlaPreviewTarget(4, "businessHours"),
        }).ShouldBe(At("2025-06-08T04:00:00Z")); // Saturday 20:00–24:00 EDT

    [Theory]
    [InlineData("2025-06-07T10:00:00-04:00")]
    [InlineData("2025-06-07T14:00:00.000Z")]
    [InlineData("2025-06-08T00:00:00+10:00")]
    public void A_start_may_carry_any_offset(string start) =>
        DueOf(Valid with { Start = start }).ShouldBe(At("2025-06-10T14:00:00Z"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Eastern Standard Time")] // a Windows id, not IANA
    [InlineData("America/New York")]
    public void The_time_zone_must_be_an_IANA_zone(string? zone) =>
        ErrorsOf(Valid with { Calendar = Valid.Calendar! with { TimeZone = zone } }).ShouldBe([new Failure(SlaErrors.TimeZoneInvalid, "calendar.timeZone")]);

    [Theory]
    [InlineData("Asia/Jakarta")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Pacific/Auckland")]
    [InlineData("Europe/Berlin")]
    [InlineData("Etc/UTC")]
    public void Any_IANA_zone_is_accepted(string zone) =>
        ErrorsOf(Valid with { Calendar = Valid.Calendar! with { TimeZone = zone } }).ShouldBeEmpty();

    [Fact]
    public void A_calendar_needs_hours()
    {
        ErrorsOf(Valid with { Calendar = Valid.Calendar! with { Hours = [] } }).ShouldBe([new Failure(SlaErrors.HoursRequired, "calendar.hours")]);
        ErrorsOf(Valid with { Calendar = Valid.Calendar! with { Hours = null } }).ShouldBe([new Failure(SlaErrors.HoursRequired, "calendar.hours")]);
    }

    [Theory]
    [InlineData(null, "09:00", "17:00")]
    [InlineData("Funday", "09:00", "17:00")]
    [InlineData("1", "09:00", "17:00")]
    [InlineData("Tuesday", null, "17:00")]
    [InlineData("Tuesday", "09:00", null)]
    [InlineData("Tuesday", "9:00", "17:00")]
    [InlineData("Tuesday", "09:00", "17")]
    [InlineData("Tuesday", "09:00:00", "17:00")]
    [InlineData("Tuesday", "25:00", "26:00")]
    [InlineData("Tuesday", "24:00", "24:00")]
    [InlineData("Tuesday", "17:00", "09:00")]
    [InlineData("Tuesday", "09:00", "09:00")]
    [InlineData("Tuesday", "10:00", "00:30")]
    [InlineData("Monday", "17:00", "09:00")] // malformed before overlapping
    public void A_range_needs_a_weekday_and_a_closing_after_its_opening(string? day, string? open, string? close) =>
        ErrorsOf(Valid with { Calendar = Valid.Calendar! with { Hours = [Monday, new SlaPreviewHours(day, open, close)] } })
            .ShouldBe([new Failure(SlaErrors.HoursInvalid, "calendar.hours[1]")]);

    [Theory]
    [InlineData("Monday", "16:00", "18:00")]
    [InlineData("Monday", "08:00", "09:30")]
    [InlineData("Monday", "10:00", "11:00")]
    [InlineData("monday", "00:00", "24:00")]
    public void Ranges_of_a_day_must_not_overlap(string day, string open, string close) =>
        ErrorsOf(Valid with { Calendar = Valid.Calendar! with { Hours = [Monday, new SlaPreviewHours(day, open, close)] } })
            .ShouldBe([new Failure(SlaErrors.HoursOverlap, "calendar.hours[1]")]);

    [Theory]
    [InlineData("Monday", "17:00", "18:00")]
    [InlineData("Monday", "00:00", "09:00")]
    [InlineData("Tuesday", "08:00", "20:00")]
    public void Ranges_that_touch_or_fall_on_other_days_are_fine(string day, string open, string close) =>
        ErrorsOf(Valid with { Calendar = Valid.Calendar! with { Hours = [Monday, new SlaPreviewHours(day, open, close)] } }).ShouldBeEmpty();

    [Fact]
    public void The_overlap_is_reported_on_the_later_range()
    {
        SlaPreviewHours?[] hours = [new("Monday", "09:00", "12:00"), new("Tuesday", "09:00", "17:00"), new("Monday", "11:00", "13:00"), null];

        ErrorsOf(Valid with { Calendar = Valid.Calendar! with { Hours = hours } }).ShouldBe(
            [new Failure(SlaErrors.HoursOverlap, "calendar.hours[2]"), new Failure(SlaErrors.HoursInvalid, "calendar.hours[3]")]);
    }

    [Theory]
    [InlineData("2025-02-30")]
    [InlineData("25/12/2025")]
    [InlineData("2025-12-25T00:00:00Z")]
    [InlineData("2025-1-5")]
    [InlineData("")]
    [InlineData(null)]
    public void Holidays_are_dates(string? holiday) =>
        ErrorsOf(Valid with { Calendar = Valid.Calendar! with { Holidays = ["2025-12-25", holiday] } })
            .ShouldBe([new Failure(SlaErrors.DateInvalid, "calendar.holidays[1]")]);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2025-06-07T14:00:00")] // no offset: not an instant
    [InlineData("2025-06-07 14:00:00Z")]
    [InlineData("2025-06-07T14:00Z")]
    [InlineData("2025-02-30T14:00:00Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("3000-01-01T00:00:00Z")]
    public void The_start_is_an_instant_with_an_offset(string? start) =>
        ErrorsOf(Valid with { Start = start }).ShouldBe([new Failure(SlaErrors.InstantInvalid, "start")]);

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100_001)]
    public void The_amount_is_1_to_100000(int? amount) =>
        ErrorsOf(Valid with { Target = new SlaPreviewTarget(amount, "minutes") }).ShouldBe([new Failure(SlaErrors.AmountInvalid, "target.amount")]);

    [Theory]
    [InlineData("minutes", "2025-08-16T00:40:00Z")]
    [InlineData("businessDays", "2408-09-26T14:00:00Z")] // 20,000 weeks on: a Friday
    [InlineData("endOfBusinessDay", "2408-09-26T21:00:00Z")]
    public void The_largest_amount_is_computed(string unit, string due) =>
        DueOf(Valid with { Calendar = Valid.Calendar! with { Holidays = [] }, Target = new SlaPreviewTarget(SlaPreview.MaxAmount, unit) }).ShouldBe(At(due));

    [Theory]
    [InlineData("Sunday", "00:00", "00:01", 100_000, "businessHours")] // 115,000 years
    [InlineData("Sunday", "09:00", "10:00", 30_000, "businessHours")] // 577 years
    [InlineData("Sunday", "00:00", "24:00", 30_000, "businessDays")]
    [InlineData("Sunday", "00:00", "24:00", 30_000, "endOfBusinessDay")]
    public void A_target_the_calendar_cannot_meet_within_500_years_is_refused(string day, string open, string close, int amount, string unit) =>
        ErrorsOf(Valid with
        {
            Calendar = Valid.Calendar! with { Hours = [new SlaPreviewHours(day, open, close)] },
            Target = new SlaPreviewTarget(amount, unit),
        }).ShouldBe([new Failure(SlaErrors.AmountUnreachable, "target.amount")]);

    [Theory]
    [InlineData(25_000, "businessHours", "2504-07-20T14:00:00Z")] // 480 years of Sundays 09:00–10:00 EDT
    [InlineData(100_000, "hours", "2036-11-03T06:00:00Z")] // elapsed units ignore the calendar
    public void A_sparse_calendar_within_reach_is_computed(int amount, string unit, string due) =>
        DueOf(Valid with
        {
            Calendar = Valid.Calendar! with { Hours = [new SlaPreviewHours("Sunday", "09:00", "10:00")], Holidays = [] },
            Target = new SlaPreviewTarget(amount, unit),
        }).ShouldBe(At(due));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("days")]
    [InlineData("business_days")]
    [InlineData("1")]
    public void The_unit_is_one_of_five(string? unit) =>
        ErrorsOf(Valid with { Target = new SlaPreviewTarget(2, unit) }).ShouldBe([new Failure(SlaErrors.UnitInvalid, "target.unit")]);

    [Fact]
    public void A_missing_target_names_both_of_its_fields() =>
        ErrorsOf(Valid with { Target = null }).ShouldBe(
            [new Failure(SlaErrors.AmountInvalid, "target.amount"), new Failure(SlaErrors.UnitInvalid, "target.unit")]);

    [Theory]
    [InlineData("2025-06-09T13:00:00Z", "2025-06-09T13:00:00Z")]
    [InlineData("2025-06-09T13:00:00Z", "2025-06-09T12:00:00Z")]
    [InlineData("2025-06-09T13:00:00Z", "2025-06-09T08:00:00-05:00")]
    public void A_pause_ends_after_it_starts(string from, string to) =>
        ErrorsOf(Valid with { Pauses = [new SlaPreviewPause("2025-06-08T00:00:00Z", "2025-06-08T01:00:00Z"), new SlaPreviewPause(from, to)] })
            .ShouldBe([new Failure(SlaErrors.PauseInvalid, "pauses[1]")]);

    [Fact]
    public void A_pause_is_two_instants()
    {
        ErrorsOf(Valid with { Pauses = [null] }).ShouldBe([new Failure(SlaErrors.PauseInvalid, "pauses[0]")]);
        ErrorsOf(Valid with { Pauses = [new SlaPreviewPause("soon", null)] }).ShouldBe(
            [new Failure(SlaErrors.InstantInvalid, "pauses[0].from"), new Failure(SlaErrors.InstantInvalid, "pauses[0].to")]);
    }

    [Fact]
    public void Every_bad_field_is_reported_at_once()
    {
        var request = new SlaPreviewRequest(
            new SlaPreviewCalendar("Nowhere/Town", [new SlaPreviewHours("Monday", "17:00", "09:00")], ["someday"]),
            "now",
            new SlaPreviewTarget(0, "weeks"),
            [new SlaPreviewPause("2025-06-09T13:00:00Z", "2025-06-09T12:00:00Z")]);

        ErrorsOf(request).Select(e => (e.Field, e.Code)).ShouldBe(
        [
            ("calendar.timeZone", SlaErrors.TimeZoneInvalid),
            ("calendar.hours[0]", SlaErrors.HoursInvalid),
            ("calendar.holidays[0]", SlaErrors.DateInvalid),
            ("start", SlaErrors.InstantInvalid),
            ("target.amount", SlaErrors.AmountInvalid),
            ("target.unit", SlaErrors.UnitInvalid),
            ("pauses[0]", SlaErrors.PauseInvalid),
        ]);
    }

    [Fact]
    public void An_empty_body_needs_a_start_and_a_target()
    {
        string[] fields = ["start", "target.amount", "target.unit"];

        ErrorsOf(null).Select(e => e.Field).ShouldBe(fields);
        ErrorsOf(JsonSerializer.Deserialize<SlaPreviewRequest>("{}", JsonSerializerOptions.Web)).Select(e => e.Field).ShouldBe(fields);
    }

    private static DateTimeOffset DueOf(SlaPreviewRequest request)
    {
        var answer = SlaPreview.Evaluate(request);
        answer.Errors.ShouldBeEmpty();
        answer.Value!.Due.Kind.ShouldBe(DateTimeKind.Utc);
        return new DateTimeOffset(answer.Value.Due);
    }

    private static IReadOnlyList<Failure> ErrorsOf(SlaPreviewRequest? request) => SlaPreview.Validate(request).Errors;
}
