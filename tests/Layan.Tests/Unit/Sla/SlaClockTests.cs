using System.Globalization;
using Layan.Features.Tickets.Sla;
using Shouldly;
using static Layan.Tests.Unit.Sla.Calendars;

namespace Layan.Tests.Unit.Sla;

// Covers CARE-11 (every example of the clock semantics) and the TKT-6 units: elapsed minutes and
// hours, business hours, business days, end of the Nth business day, pauses, year ends, DST in New
// York, Berlin and Auckland, and zones without DST (Jakarta, Kolkata). Instants are written in the
// calendar's local time with its offset, so each row reads as a wall clock.
public sealed class SlaClockTests
{
    private static readonly string[] AllDay = ["00:00-24:00"];

    private static readonly int[] Amounts = [1, 2, 5];

    private static readonly Dictionary<string, BusinessCalendar?> Named = new()
    {
        ["24x7"] = null,
        ["New York"] = NineToFive("America/New_York", "2025-12-25", "2026-01-01"),
        ["New York nights"] = Open("America/New_York", Weekdays, ["20:00-24:00"]),
        ["New York 1-5"] = Open("America/New_York", EveryDay, ["01:00-05:00"]),
        ["New York all days"] = Open("America/New_York", EveryDay, AllDay),
        ["Berlin"] = NineToFive("Europe/Berlin"),
        ["Berlin lunch"] = Open("Europe/Berlin", Weekdays, ["08:00-12:00", "13:00-17:00"]),
        ["Berlin all days"] = Open("Europe/Berlin", EveryDay, AllDay),
        ["Auckland"] = NineToFive("Pacific/Auckland"),
        ["Auckland all days"] = Open("Pacific/Auckland", EveryDay, AllDay),
        ["Auckland Sundays"] = Open("Pacific/Auckland", [DayOfWeek.Sunday], AllDay),
        ["Jakarta"] = Open("Asia/Jakarta", Weekdays, ["08:00-16:00"]),
        ["Kolkata"] = Open("Asia/Kolkata", Weekdays, ["09:30-18:30"]),
    };

    // CARE-11's examples (Mon–Fri 09–17) hold in every zone.
    [Theory]
    [InlineData("America/New_York", "-04:00")]
    [InlineData("Europe/Berlin", "+02:00")]
    [InlineData("Pacific/Auckland", "+12:00")]
    [InlineData("Asia/Jakarta", "+07:00")]
    [InlineData("Asia/Kolkata", "+05:30")]
    [InlineData("Etc/UTC", "+00:00")]
    public void Saturday_10_00_plus_2_business_days_is_Tuesday_10_00(string zone, string offset) =>
        Due(NineToFive(zone), $"2025-06-07T10:00{offset}", 2, SlaUnit.BusinessDays).ShouldBe(At($"2025-06-10T10:00{offset}"));

    [Theory]
    [InlineData("America/New_York", "-04:00")]
    [InlineData("Europe/Berlin", "+02:00")]
    [InlineData("Pacific/Auckland", "+12:00")]
    [InlineData("Asia/Jakarta", "+07:00")]
    [InlineData("Asia/Kolkata", "+05:30")]
    [InlineData("Etc/UTC", "+00:00")]
    public void Friday_18_00_plus_2_business_days_is_Wednesday_09_00(string zone, string offset) =>
        Due(NineToFive(zone), $"2025-06-06T18:00{offset}", 2, SlaUnit.BusinessDays).ShouldBe(At($"2025-06-11T09:00{offset}"));

    [Theory]
    [InlineData("America/New_York", "-04:00")]
    [InlineData("Europe/Berlin", "+02:00")]
    [InlineData("Pacific/Auckland", "+12:00")]
    [InlineData("Asia/Jakarta", "+07:00")]
    [InlineData("Asia/Kolkata", "+05:30")]
    [InlineData("Etc/UTC", "+00:00")]
    public void Entered_Wednesday_15_00_closes_at_the_end_of_the_3rd_business_day_Monday_17_00(string zone, string offset) =>
        Due(NineToFive(zone), $"2025-06-04T15:00{offset}", 3, SlaUnit.EndOfBusinessDay).ShouldBe(At($"2025-06-09T17:00{offset}"));

    [Fact]
    public void A_4_hour_target_on_the_24x7_clock_across_a_DST_change_is_4_real_hours()
    {
        var due = Due(null, "2025-03-09T00:30-05:00", 4, SlaUnit.Hours);

        due.ShouldBe(At("2025-03-09T05:30-04:00"));
        (due - At("2025-03-09T00:30-05:00")).ShouldBe(TimeSpan.FromHours(4));
    }

    [Theory]
    [InlineData("24x7", "2025-06-09T10:00:00Z", 10, nameof(SlaUnit.Minutes), "2025-06-09T10:10:00Z")] // CARE-4 Sev1
    [InlineData("24x7", "2025-06-09T10:00:30.750Z", 10, nameof(SlaUnit.Minutes), "2025-06-09T10:10:30Z")] // to the second
    [InlineData("24x7", "2025-06-09T23:55:00Z", 10, nameof(SlaUnit.Minutes), "2025-06-10T00:05:00Z")]
    [InlineData("24x7", "2025-12-31T23:50:00Z", 20, nameof(SlaUnit.Minutes), "2026-01-01T00:10:00Z")]
    [InlineData("24x7", "2025-06-09T10:00:00Z", 2, nameof(SlaUnit.Hours), "2025-06-09T12:00:00Z")] // CARE-4 Sev2–4
    [InlineData("24x7", "2025-11-02T00:30-04:00", 4, nameof(SlaUnit.Hours), "2025-11-02T03:30-05:00")]
    [InlineData("24x7", "2025-03-29T23:30+01:00", 4, nameof(SlaUnit.Hours), "2025-03-30T04:30+02:00")]
    [InlineData("24x7", "2025-10-26T00:30+02:00", 4, nameof(SlaUnit.Hours), "2025-10-26T03:30+01:00")]
    [InlineData("24x7", "2025-09-28T00:30+12:00", 4, nameof(SlaUnit.Hours), "2025-09-28T05:30+13:00")]
    [InlineData("24x7", "2025-04-06T00:30+13:00", 4, nameof(SlaUnit.Hours), "2025-04-06T03:30+12:00")]
    [InlineData("24x7", "2025-03-08T12:00-05:00", 24, nameof(SlaUnit.Hours), "2025-03-09T13:00-04:00")] // CARE-7 High: 24 elapsed hours
    [InlineData("24x7", "2025-06-07T22:00+07:00", 4, nameof(SlaUnit.Hours), "2025-06-08T02:00+07:00")]
    [InlineData("24x7", "2025-12-31T22:45+05:30", 90, nameof(SlaUnit.Minutes), "2026-01-01T00:15+05:30")]
    [InlineData("24x7", "2025-01-01T00:00:00Z", 100_000, nameof(SlaUnit.Minutes), "2025-03-11T10:40:00Z")]
    [InlineData("24x7", "2025-01-01T00:00:00Z", 100_000, nameof(SlaUnit.Hours), "2036-05-29T16:00:00Z")]
    [InlineData("New York", "2025-03-09T00:30-05:00", 4, nameof(SlaUnit.Hours), "2025-03-09T05:30-04:00")] // elapsed units ignore the calendar
    [InlineData("New York", "2025-06-07T10:00-04:00", 90, nameof(SlaUnit.Minutes), "2025-06-07T11:30-04:00")]
    [InlineData("Kolkata", "2025-06-13T18:00+05:30", 3, nameof(SlaUnit.Hours), "2025-06-13T21:00+05:30")]
    public void Elapsed_units_count_real_time(string calendar, string start, int amount, string unit, string expected) =>
        Due(Named[calendar], start, amount, Enum.Parse<SlaUnit>(unit)).ShouldBe(At(expected));

    [Theory]
    [InlineData("New York", "2025-06-09T09:00-04:00", 1, "2025-06-09T10:00-04:00")]
    [InlineData("New York", "2025-06-09T09:00-04:00", 8, "2025-06-09T17:00-04:00")] // reaches the amount at the closing
    [InlineData("New York", "2025-06-09T08:00-04:00", 8, "2025-06-09T17:00-04:00")]
    [InlineData("New York", "2025-06-09T16:00-04:00", 2, "2025-06-10T10:00-04:00")]
    [InlineData("New York", "2025-06-09T17:00-04:00", 1, "2025-06-10T10:00-04:00")]
    [InlineData("New York", "2025-06-06T16:00-04:00", 2, "2025-06-09T10:00-04:00")]
    [InlineData("New York", "2025-06-07T10:00-04:00", 1, "2025-06-09T10:00-04:00")]
    [InlineData("New York", "2025-06-08T23:00-04:00", 8, "2025-06-09T17:00-04:00")]
    [InlineData("New York", "2025-06-09T09:00-04:00", 48, "2025-06-16T17:00-04:00")] // CARE-1: 48 business hours
    [InlineData("New York", "2025-06-11T13:00-04:00", 40, "2025-06-18T13:00-04:00")]
    [InlineData("New York", "2025-06-09T16:59:59-04:00", 1, "2025-06-10T09:59:59-04:00")]
    [InlineData("New York", "2025-12-24T16:00-05:00", 2, "2025-12-26T10:00-05:00")] // over the Christmas holiday
    [InlineData("New York", "2025-12-22T09:00-05:00", 40, "2025-12-29T17:00-05:00")]
    [InlineData("New York", "2025-12-29T09:00-05:00", 24, "2025-12-31T17:00-05:00")]
    [InlineData("New York", "2025-12-29T09:00-05:00", 25, "2026-01-02T10:00-05:00")] // over the year end and New Year's Day
    [InlineData("New York", "2025-12-31T16:00-05:00", 2, "2026-01-02T10:00-05:00")]
    [InlineData("New York", "2025-03-07T16:00-05:00", 2, "2025-03-10T10:00-04:00")] // over the spring change
    [InlineData("New York", "2025-10-31T16:00-04:00", 2, "2025-11-03T10:00-05:00")] // over the autumn change
    [InlineData("Berlin", "2025-12-31T16:00+01:00", 3, "2026-01-01T11:00+01:00")] // no holidays: January 1st is a Thursday like any
    [InlineData("Berlin", "2025-03-28T16:00+01:00", 2, "2025-03-31T10:00+02:00")]
    [InlineData("Berlin", "2025-10-24T16:00+02:00", 2, "2025-10-27T10:00+01:00")]
    [InlineData("Berlin lunch", "2025-06-09T11:00+02:00", 2, "2025-06-09T14:00+02:00")]
    [InlineData("Berlin lunch", "2025-06-09T10:00+02:00", 8, "2025-06-10T10:00+02:00")]
    [InlineData("Berlin lunch", "2025-06-09T12:30+02:00", 1, "2025-06-09T14:00+02:00")]
    [InlineData("Berlin lunch", "2025-06-09T16:00+02:00", 1, "2025-06-09T17:00+02:00")]
    [InlineData("Berlin lunch", "2025-06-13T16:00+02:00", 2, "2025-06-16T09:00+02:00")]
    [InlineData("Berlin lunch", "2025-06-09T08:00+02:00", 4, "2025-06-09T12:00+02:00")]
    [InlineData("Berlin lunch", "2025-06-09T08:00+02:00", 5, "2025-06-09T14:00+02:00")]
    [InlineData("Kolkata", "2025-06-13T18:00+05:30", 1, "2025-06-16T10:00+05:30")]
    [InlineData("Kolkata", "2025-06-09T09:30+05:30", 9, "2025-06-09T18:30+05:30")]
    [InlineData("Kolkata", "2025-12-31T17:30+05:30", 2, "2026-01-01T10:30+05:30")]
    [InlineData("Jakarta", "2025-06-09T07:00+07:00", 8, "2025-06-09T16:00+07:00")]
    [InlineData("Jakarta", "2025-06-09T15:00+07:00", 2, "2025-06-10T09:00+07:00")]
    [InlineData("Auckland", "2025-04-04T16:00+13:00", 2, "2025-04-07T10:00+12:00")]
    [InlineData("Auckland", "2025-09-26T16:00+12:00", 2, "2025-09-29T10:00+13:00")]
    [InlineData("Auckland", "2025-12-31T16:00+13:00", 2, "2026-01-01T10:00+13:00")]
    [InlineData("New York 1-5", "2025-03-09T01:00-05:00", 3, "2025-03-09T05:00-04:00")] // a 3-hour range on the gap day
    [InlineData("New York 1-5", "2025-03-09T01:00-05:00", 4, "2025-03-10T02:00-04:00")]
    [InlineData("New York 1-5", "2025-03-09T00:00-05:00", 1, "2025-03-09T03:00-04:00")]
    [InlineData("New York 1-5", "2025-11-02T01:00-04:00", 4, "2025-11-02T04:00-05:00")] // a 5-hour range on the overlap day
    [InlineData("New York 1-5", "2025-11-02T01:00-04:00", 5, "2025-11-02T05:00-05:00")]
    [InlineData("New York 1-5", "2025-11-02T01:30-05:00", 2, "2025-11-02T03:30-05:00")] // from the repeated hour
    [InlineData("Berlin all days", "2025-10-26T00:00+02:00", 25, "2025-10-27T00:00+01:00")] // a 25-hour day
    [InlineData("Berlin all days", "2025-10-26T00:00+02:00", 24, "2025-10-26T23:00+01:00")]
    [InlineData("Berlin all days", "2025-03-30T00:00+01:00", 23, "2025-03-31T00:00+02:00")] // a 23-hour day
    [InlineData("Auckland Sundays", "2025-09-28T00:00+12:00", 23, "2025-09-29T00:00+13:00")]
    [InlineData("Auckland Sundays", "2025-09-28T00:00+12:00", 24, "2025-10-05T01:00+13:00")]
    [InlineData("Auckland Sundays", "2025-04-06T00:00+13:00", 25, "2025-04-07T00:00+12:00")]
    [InlineData("New York nights", "2025-06-09T23:00-04:00", 2, "2025-06-10T21:00-04:00")]
    [InlineData("New York nights", "2025-06-06T22:00-04:00", 2, "2025-06-07T00:00-04:00")] // closes at midnight
    [InlineData("New York nights", "2025-06-06T22:00-04:00", 3, "2025-06-09T21:00-04:00")]
    [InlineData("New York all days", "2025-03-09T00:30-05:00", 4, "2025-03-09T05:30-04:00")]
    [InlineData("24x7", "2025-03-09T00:30-05:00", 4, "2025-03-09T05:30-04:00")] // business hours are hours on 24x7
    public void Business_hours_count_opening_hours_only(string calendar, string start, int amount, string expected) =>
        Due(Named[calendar], start, amount, SlaUnit.BusinessHours).ShouldBe(At(expected));

    [Theory]
    [InlineData("New York", "2025-06-09T10:00-04:00", 1, "2025-06-10T10:00-04:00")]
    [InlineData("New York", "2025-06-09T10:00-04:00", 5, "2025-06-16T10:00-04:00")]
    [InlineData("New York", "2025-06-06T10:00-04:00", 1, "2025-06-09T10:00-04:00")]
    [InlineData("New York", "2025-06-08T23:00-04:00", 1, "2025-06-10T09:00-04:00")] // Monday 23:00 is closed
    [InlineData("New York", "2025-06-07T08:00-04:00", 2, "2025-06-10T09:00-04:00")]
    [InlineData("New York", "2025-06-09T17:00-04:00", 1, "2025-06-11T09:00-04:00")] // the closing instant is outside hours
    [InlineData("New York", "2025-06-09T16:59:59-04:00", 1, "2025-06-10T16:59:59-04:00")]
    [InlineData("New York", "2025-06-09T09:00-04:00", 1, "2025-06-10T09:00-04:00")]
    [InlineData("New York", "2025-06-09T00:00-04:00", 1, "2025-06-10T09:00-04:00")]
    [InlineData("New York", "2025-06-11T10:00-04:00", 3, "2025-06-16T10:00-04:00")] // CARE-7 Medium: 3 business days
    [InlineData("New York", "2025-06-12T11:00-04:00", 2, "2025-06-16T11:00-04:00")] // CARE-8: notice after 2
    [InlineData("New York", "2025-06-12T11:00-04:00", 3, "2025-06-17T11:00-04:00")] // and closing after 3
    [InlineData("New York", "2025-06-09T10:00-04:00", 260, "2026-06-10T10:00-04:00")] // 52 weeks and 2 holidays
    [InlineData("New York", "2025-12-24T10:00-05:00", 1, "2025-12-26T10:00-05:00")]
    [InlineData("New York", "2025-12-23T10:00-05:00", 2, "2025-12-26T10:00-05:00")]
    [InlineData("New York", "2025-12-25T10:00-05:00", 1, "2025-12-26T10:00-05:00")] // from a holiday
    [InlineData("New York", "2025-12-31T10:00-05:00", 1, "2026-01-02T10:00-05:00")]
    [InlineData("New York", "2025-12-30T15:00-05:00", 3, "2026-01-05T15:00-05:00")]
    [InlineData("New York", "2025-03-07T10:00-05:00", 1, "2025-03-10T10:00-04:00")] // same local time, 71 real hours
    [InlineData("New York", "2025-10-31T10:00-04:00", 1, "2025-11-03T10:00-05:00")] // same local time, 73 real hours
    [InlineData("New York", "2025-03-08T12:00-05:00", 2, "2025-03-11T12:00-04:00")]
    [InlineData("Berlin", "2025-03-28T10:00+01:00", 1, "2025-03-31T10:00+02:00")]
    [InlineData("Berlin", "2025-10-24T10:00+02:00", 1, "2025-10-27T10:00+01:00")]
    [InlineData("Berlin", "2025-12-31T10:00+01:00", 1, "2026-01-01T10:00+01:00")]
    [InlineData("Berlin lunch", "2025-06-09T12:30+02:00", 1, "2025-06-10T13:00+02:00")] // lunch time: the afternoon opening
    [InlineData("Berlin lunch", "2025-06-09T07:00+02:00", 1, "2025-06-10T08:00+02:00")]
    [InlineData("Berlin lunch", "2025-06-09T11:59+02:00", 1, "2025-06-10T11:59+02:00")]
    [InlineData("Jakarta", "2025-06-13T15:00+07:00", 1, "2025-06-16T15:00+07:00")]
    [InlineData("Jakarta", "2025-06-13T16:30+07:00", 1, "2025-06-17T08:00+07:00")]
    [InlineData("Kolkata", "2025-06-07T11:00+05:30", 2, "2025-06-10T11:00+05:30")]
    [InlineData("Kolkata", "2025-06-09T09:00+05:30", 1, "2025-06-10T09:30+05:30")]
    [InlineData("Kolkata", "2025-12-31T18:00+05:30", 1, "2026-01-01T18:00+05:30")]
    [InlineData("Auckland", "2025-04-04T10:00+13:00", 1, "2025-04-07T10:00+12:00")]
    [InlineData("Auckland", "2025-09-26T10:00+12:00", 1, "2025-09-29T10:00+13:00")]
    [InlineData("Auckland", "2025-12-31T10:00+13:00", 2, "2026-01-02T10:00+13:00")]
    [InlineData("New York all days", "2025-03-08T02:30-05:00", 1, "2025-03-09T03:00-04:00")] // 02:30 does not exist: forward
    [InlineData("New York all days", "2025-11-01T01:30-04:00", 1, "2025-11-02T01:30-04:00")] // 01:30 twice: the earlier
    [InlineData("New York all days", "2025-11-02T01:30-05:00", 1, "2025-11-03T01:30-05:00")]
    [InlineData("New York all days", "2025-11-02T01:30-04:00", 1, "2025-11-03T01:30-05:00")]
    [InlineData("New York all days", "2025-03-09T03:30-04:00", 1, "2025-03-10T03:30-04:00")]
    [InlineData("Berlin all days", "2025-03-29T02:30+01:00", 1, "2025-03-30T03:00+02:00")]
    [InlineData("Berlin all days", "2025-10-25T02:30+02:00", 1, "2025-10-26T02:30+02:00")]
    [InlineData("Auckland all days", "2025-09-27T02:30+12:00", 1, "2025-09-28T03:00+13:00")]
    [InlineData("Auckland all days", "2025-04-05T02:30+13:00", 1, "2025-04-06T02:30+13:00")]
    [InlineData("New York 1-5", "2025-03-08T02:30-05:00", 1, "2025-03-09T03:00-04:00")]
    [InlineData("New York 1-5", "2025-03-08T05:30-05:00", 1, "2025-03-10T01:00-04:00")]
    [InlineData("New York 1-5", "2025-11-01T01:30-04:00", 1, "2025-11-02T01:30-04:00")]
    [InlineData("New York nights", "2025-06-09T23:30-04:00", 1, "2025-06-10T23:30-04:00")]
    [InlineData("New York nights", "2025-06-09T10:00-04:00", 1, "2025-06-10T20:00-04:00")]
    [InlineData("New York nights", "2025-06-13T23:00-04:00", 1, "2025-06-16T23:00-04:00")]
    [InlineData("24x7", "2025-03-08T12:00-05:00", 2, "2025-03-10T13:00-04:00")] // 24x7: N × 24 real hours
    [InlineData("24x7", "2025-12-31T10:00:00Z", 1, "2026-01-01T10:00:00Z")]
    public void Business_days_keep_the_local_time_of_day_or_take_the_next_opening(string calendar, string start, int amount, string expected) =>
        Due(Named[calendar], start, amount, SlaUnit.BusinessDays).ShouldBe(At(expected));

    [Theory]
    [InlineData("New York", "2025-06-04T08:00-04:00", 1, "2025-06-05T17:00-04:00")] // the entry day never counts
    [InlineData("New York", "2025-06-04T18:00-04:00", 1, "2025-06-05T17:00-04:00")]
    [InlineData("New York", "2025-06-07T10:00-04:00", 1, "2025-06-09T17:00-04:00")]
    [InlineData("New York", "2025-06-06T18:00-04:00", 1, "2025-06-09T17:00-04:00")]
    [InlineData("New York", "2025-06-06T10:00-04:00", 5, "2025-06-13T17:00-04:00")]
    [InlineData("New York", "2025-06-09T10:00-04:00", 5, "2025-06-16T17:00-04:00")] // CARE-6: RCA 5 business days after restore
    [InlineData("New York", "2025-06-09T00:00-04:00", 1, "2025-06-10T17:00-04:00")]
    [InlineData("New York", "2025-06-08T23:59:59-04:00", 1, "2025-06-09T17:00-04:00")]
    [InlineData("New York", "2025-12-24T10:00-05:00", 1, "2025-12-26T17:00-05:00")]
    [InlineData("New York", "2025-12-25T10:00-05:00", 1, "2025-12-26T17:00-05:00")]
    [InlineData("New York", "2025-12-30T10:00-05:00", 2, "2026-01-02T17:00-05:00")]
    [InlineData("New York", "2025-03-06T12:00-05:00", 2, "2025-03-10T17:00-04:00")]
    [InlineData("New York", "2025-10-30T12:00-04:00", 2, "2025-11-03T17:00-05:00")]
    [InlineData("Berlin", "2025-12-31T10:00+01:00", 1, "2026-01-01T17:00+01:00")]
    [InlineData("Berlin lunch", "2025-06-09T10:00+02:00", 1, "2025-06-10T17:00+02:00")] // the last range's closing
    [InlineData("Kolkata", "2025-06-04T15:00+05:30", 3, "2025-06-09T18:30+05:30")]
    [InlineData("Jakarta", "2025-06-04T15:00+07:00", 3, "2025-06-09T16:00+07:00")]
    [InlineData("Auckland", "2025-04-03T12:00+13:00", 2, "2025-04-07T17:00+12:00")]
    [InlineData("New York nights", "2025-06-09T21:00-04:00", 1, "2025-06-11T00:00-04:00")] // closes at 24:00
    [InlineData("New York nights", "2025-06-13T21:00-04:00", 1, "2025-06-17T00:00-04:00")]
    [InlineData("Berlin all days", "2025-10-25T12:00+02:00", 1, "2025-10-27T00:00+01:00")]
    [InlineData("Berlin all days", "2025-03-29T12:00+01:00", 1, "2025-03-31T00:00+02:00")]
    [InlineData("24x7", "2025-06-09T10:00:00Z", 1, "2025-06-11T00:00:00Z")] // 24x7 days are UTC days
    [InlineData("24x7", "2025-06-09T22:00-04:00", 1, "2025-06-12T00:00:00Z")]
    [InlineData("24x7", "2025-12-30T23:59:59Z", 3, "2026-01-03T00:00:00Z")]
    public void End_of_business_day_is_the_closing_of_the_Nth_business_day_after_entry(string calendar, string start, int amount, string expected) =>
        Due(Named[calendar], start, amount, SlaUnit.EndOfBusinessDay).ShouldBe(At(expected));

    [Theory]
    [InlineData("01:00-02:30", "2025-03-02T01:00-05:00", "2025-03-09T03:00-04:00")] // closing in the gap: forward
    [InlineData("00:00-01:30", "2025-10-26T00:10-04:00", "2025-11-02T01:30-04:00")] // closing in the repeated hour: earlier
    [InlineData("00:00-24:00", "2025-03-02T12:00-05:00", "2025-03-10T00:00-04:00")]
    public void End_of_business_day_on_New_York_Sundays_around_DST(string range, string start, string expected) =>
        Due(Open("America/New_York", [DayOfWeek.Sunday], [range]), start, 1, SlaUnit.EndOfBusinessDay).ShouldBe(At(expected));

    [Theory]
    [InlineData("24x7", "2025-06-09T10:00:00Z", "", "2025-06-09T10:30:00Z")]
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:10:00Z/2025-06-09T10:20:00Z", "2025-06-09T10:40:00Z")]
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T09:00:00Z/2025-06-09T09:50:00Z", "2025-06-09T10:30:00Z")] // before the start
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T09:50:00Z/2025-06-09T10:05:00Z", "2025-06-09T10:35:00Z")] // across the start
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:30:00Z/2025-06-09T11:00:00Z", "2025-06-09T10:30:00Z")] // begins at the due
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:29:00Z/2025-06-09T11:00:00Z", "2025-06-09T11:01:00Z")]
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:10:00Z/2025-06-09T10:20:00Z|2025-06-09T10:15:00Z/2025-06-09T10:25:00Z", "2025-06-09T10:45:00Z")] // overlapping
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:05:00Z/2025-06-09T10:25:00Z|2025-06-09T10:10:00Z/2025-06-09T10:15:00Z", "2025-06-09T10:50:00Z")] // nested
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:10:00Z/2025-06-09T10:15:00Z|2025-06-09T10:15:00Z/2025-06-09T10:20:00Z", "2025-06-09T10:40:00Z")] // touching
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:40:00Z/2025-06-09T10:50:00Z|2025-06-09T10:10:00Z/2025-06-09T10:20:00Z", "2025-06-09T10:40:00Z")] // unsorted
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:35:00Z/2025-06-09T10:45:00Z|2025-06-09T10:10:00Z/2025-06-09T10:20:00Z", "2025-06-09T10:50:00Z")]
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:10:00.400Z/2025-06-09T10:20:00.900Z", "2025-06-09T10:40:00Z")] // to the second
    [InlineData("24x7", "2025-06-09T10:00:00Z", "2025-06-09T10:10:00Z/2025-06-09T10:10:00Z", "2025-06-09T10:30:00Z")] // empty
    [InlineData("New York", "2025-06-07T10:00-04:00", "2025-06-07T10:10-04:00/2025-06-07T10:20-04:00", "2025-06-07T10:40-04:00")] // calendar ignored
    public void Thirty_elapsed_minutes_are_held_by_pauses(string calendar, string start, string pauses, string expected) =>
        Due(Named[calendar], start, 30, SlaUnit.Minutes, Pauses(pauses)).ShouldBe(At(expected));

    [Theory]
    [InlineData("24x7", "2025-06-06T16:00:00Z", 4, nameof(SlaUnit.Hours), "2025-06-06T18:00:00Z/2025-06-09T08:00:00Z", "2025-06-09T10:00:00Z")] // over a weekend
    [InlineData("24x7", "2025-12-31T23:00:00Z", 2, nameof(SlaUnit.Hours), "2025-12-31T23:30:00Z/2026-01-01T00:30:00Z", "2026-01-01T02:00:00Z")] // over the year end
    [InlineData("New York", "2025-06-07T10:00-04:00", 2, nameof(SlaUnit.Hours), "2025-06-07T11:00-04:00/2025-06-07T12:00-04:00", "2025-06-07T13:00-04:00")] // outside opening hours, still held
    [InlineData("24x7", "2025-03-09T00:30-05:00", 4, nameof(SlaUnit.Hours), "2025-03-09T01:00-05:00/2025-03-09T03:30-04:00", "2025-03-09T07:00-04:00")] // 1.5 real hours held
    [InlineData("New York", "2025-06-09T09:00-04:00", 8, nameof(SlaUnit.BusinessHours), "2025-06-09T10:00-04:00/2025-06-09T11:00-04:00", "2025-06-10T10:00-04:00")]
    [InlineData("New York", "2025-06-09T13:00-04:00", 8, nameof(SlaUnit.BusinessHours), "2025-06-09T18:00-04:00/2025-06-10T08:00-04:00", "2025-06-10T13:00-04:00")] // outside hours: no effect
    [InlineData("New York", "2025-06-06T15:00-04:00", 4, nameof(SlaUnit.BusinessHours), "2025-06-06T16:00-04:00/2025-06-09T10:00-04:00", "2025-06-09T13:00-04:00")] // across a weekend
    [InlineData("New York", "2025-06-09T09:00-04:00", 16, nameof(SlaUnit.BusinessHours), "2025-06-09T16:00-04:00/2025-06-10T10:00-04:00", "2025-06-11T11:00-04:00")] // partly outside hours
    [InlineData("New York", "2025-06-09T09:00-04:00", 8, nameof(SlaUnit.BusinessHours), "2025-06-09T10:00-04:00/2025-06-09T12:00-04:00|2025-06-09T11:00-04:00/2025-06-09T13:00-04:00", "2025-06-10T12:00-04:00")] // overlapping
    [InlineData("New York", "2025-06-09T09:30-04:00", 2, nameof(SlaUnit.BusinessHours), "2025-06-09T07:00-04:00/2025-06-09T10:00-04:00", "2025-06-09T12:00-04:00")] // paused at the start
    [InlineData("New York", "2025-06-09T09:00-04:00", 4, nameof(SlaUnit.BusinessHours), "2025-06-09T13:00-04:00/2025-06-09T15:00-04:00", "2025-06-09T13:00-04:00")] // begins at the due
    [InlineData("New York", "2025-06-09T09:00-04:00", 4, nameof(SlaUnit.BusinessHours), "2025-06-07T00:00-04:00/2025-06-09T09:00-04:00", "2025-06-09T13:00-04:00")] // ends at the start
    [InlineData("New York", "2025-12-24T16:00-05:00", 2, nameof(SlaUnit.BusinessHours), "2025-12-25T00:00-05:00/2025-12-26T09:30-05:00", "2025-12-26T10:30-05:00")]
    [InlineData("Berlin lunch", "2025-06-09T08:00+02:00", 8, nameof(SlaUnit.BusinessHours), "2025-06-09T11:00+02:00/2025-06-09T14:00+02:00", "2025-06-10T10:00+02:00")] // lunch is not paused time
    [InlineData("New York all days", "2025-03-09T00:00-05:00", 4, nameof(SlaUnit.BusinessHours), "2025-03-09T01:00-05:00/2025-03-09T03:30-04:00", "2025-03-09T06:30-04:00")]
    [InlineData("24x7", "2025-06-09T10:00:00Z", 4, nameof(SlaUnit.BusinessHours), "2025-06-09T11:00:00Z/2025-06-09T12:00:00Z", "2025-06-09T15:00:00Z")]
    [InlineData("New York", "2025-06-09T10:00-04:00", 1, nameof(SlaUnit.BusinessDays), "2025-06-09T11:00-04:00/2025-06-09T13:00-04:00", "2025-06-10T12:00-04:00")]
    [InlineData("New York", "2025-06-09T10:00-04:00", 1, nameof(SlaUnit.BusinessDays), "2025-06-09T18:00-04:00/2025-06-10T08:00-04:00", "2025-06-10T10:00-04:00")] // outside hours: no effect
    [InlineData("New York", "2025-06-06T10:00-04:00", 1, nameof(SlaUnit.BusinessDays), "2025-06-06T16:00-04:00/2025-06-09T09:30-04:00", "2025-06-09T11:30-04:00")] // across a weekend: 1.5 open hours
    [InlineData("New York", "2025-06-06T18:00-04:00", 2, nameof(SlaUnit.BusinessDays), "2025-06-09T09:00-04:00/2025-06-09T13:00-04:00", "2025-06-11T13:00-04:00")]
    [InlineData("New York", "2025-06-06T18:00-04:00", 2, nameof(SlaUnit.BusinessDays), "2025-06-07T00:00-04:00/2025-06-09T00:00-04:00", "2025-06-11T09:00-04:00")]
    [InlineData("New York", "2025-06-11T15:00-04:00", 1, nameof(SlaUnit.BusinessDays), "2025-06-11T15:00-04:00/2025-06-11T17:00-04:00", "2025-06-13T09:00-04:00")] // reached at a closing: next opening
    [InlineData("New York", "2025-06-09T10:00-04:00", 1, nameof(SlaUnit.BusinessDays), "2025-06-10T10:00-04:00/2025-06-10T12:00-04:00", "2025-06-10T10:00-04:00")] // begins at the due
    [InlineData("New York", "2025-06-09T10:00-04:00", 1, nameof(SlaUnit.BusinessDays), "2025-06-08T12:00-04:00/2025-06-09T12:00-04:00", "2025-06-10T12:00-04:00")] // paused at the start
    [InlineData("New York", "2025-06-09T10:00-04:00", 1, nameof(SlaUnit.BusinessDays), "2025-06-09T11:00-04:00/2025-06-09T12:00-04:00|2025-06-09T11:30-04:00/2025-06-09T13:00-04:00", "2025-06-10T12:00-04:00")]
    [InlineData("New York", "2025-06-12T10:00-04:00", 1, nameof(SlaUnit.BusinessDays), "2025-06-12T10:00-04:00/2025-06-12T16:00-04:00", "2025-06-13T16:00-04:00")]
    [InlineData("New York", "2025-06-12T10:00-04:00", 1, nameof(SlaUnit.BusinessDays), "2025-06-12T10:00-04:00/2025-06-13T12:00-04:00", "2025-06-16T12:00-04:00")] // pushed over a weekend
    [InlineData("24x7", "2025-06-09T10:00:00Z", 1, nameof(SlaUnit.BusinessDays), "2025-06-09T12:00:00Z/2025-06-09T15:00:00Z", "2025-06-10T13:00:00Z")]
    [InlineData("New York", "2025-06-04T15:00-04:00", 3, nameof(SlaUnit.EndOfBusinessDay), "2025-06-05T09:00-04:00/2025-06-05T17:00-04:00", "2025-06-10T17:00-04:00")] // a paused day: one day later
    [InlineData("New York", "2025-06-04T15:00-04:00", 3, nameof(SlaUnit.EndOfBusinessDay), "2025-06-05T09:00-04:00/2025-06-05T13:00-04:00", "2025-06-10T13:00-04:00")]
    [InlineData("New York", "2025-06-04T15:00-04:00", 3, nameof(SlaUnit.EndOfBusinessDay), "2025-06-07T00:00-04:00/2025-06-09T00:00-04:00", "2025-06-09T17:00-04:00")] // weekend only: no effect
    [InlineData("New York", "2025-06-04T15:00-04:00", 3, nameof(SlaUnit.EndOfBusinessDay), "2025-06-04T15:00-04:00/2025-06-04T17:00-04:00", "2025-06-10T11:00-04:00")] // open time of the entry day counts as paused
    [InlineData("24x7", "2025-06-09T10:00:00Z", 1, nameof(SlaUnit.EndOfBusinessDay), "2025-06-10T00:00:00Z/2025-06-10T06:00:00Z", "2025-06-11T06:00:00Z")]
    public void Pauses_hold_the_clock_for_their_running_time(string calendar, string start, int amount, string unit, string pauses, string expected) =>
        Due(Named[calendar], start, amount, Enum.Parse<SlaUnit>(unit), Pauses(pauses)).ShouldBe(At(expected));

    // Starts every 23h07m13s through the weeks of the 2025 DST changes and the year end, on each calendar.
    public static TheoryData<string, string> Starts { get; } = new(
        from calendar in new[] { "New York", "New York nights", "New York 1-5", "Berlin lunch", "Berlin all days", "Auckland", "Auckland Sundays", "Kolkata" }
        from window in new[] { "2025-03-05T00:00:00Z", "2025-03-26T00:00:00Z", "2025-04-02T00:00:00Z", "2025-09-24T00:00:00Z", "2025-10-22T00:00:00Z", "2025-10-29T00:00:00Z", "2025-12-27T00:00:00Z" }
        from step in Enumerable.Range(0, 6)
        select (calendar, (At(window) + (step * new TimeSpan(23, 7, 13))).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));

    [Theory]
    [MemberData(nameof(Starts))]
    public void Every_due_obeys_the_rules_of_its_unit(string name, string start)
    {
        var calendar = Named[name]!;
        var from = At(start);
        var (entry, timeOfDay) = calendar.ToLocal(from);
        foreach (var amount in Amounts)
        {
            // Business hours: exactly the amount of open time, reached no later than needed.
            var hours = Due(calendar, start, amount, SlaUnit.BusinessHours);
            calendar.BusinessTime(from, hours).ShouldBe(TimeSpan.FromHours(amount));
            calendar.BusinessTime(from, hours.AddSeconds(-1)).ShouldBeLessThan(TimeSpan.FromHours(amount));

            // Business days: open, on or after the same time of day N business days on, with nothing open in between.
            var day = calendar.BusinessDayAfter(entry, amount);
            var days = Due(calendar, start, amount, SlaUnit.BusinessDays);
            calendar.IsOpen(days).ShouldBeTrue();
            days.ShouldBeGreaterThanOrEqualTo(calendar.ToUtc(day, timeOfDay));
            calendar.BusinessTime(calendar.ToUtc(day, timeOfDay), days).ShouldBe(TimeSpan.Zero);

            // End of business day: open just before, on the Nth business day, and nothing open later that day.
            var end = Due(calendar, start, amount, SlaUnit.EndOfBusinessDay);
            calendar.IsOpen(end.AddSeconds(-1)).ShouldBeTrue();
            calendar.ToLocal(end.AddSeconds(-1)).Date.ShouldBe(day);
            calendar.BusinessTime(end, calendar.ToUtc(day, TimeSpan.FromDays(1))).ShouldBe(TimeSpan.Zero);

            // Elapsed hours ignore the calendar.
            (Due(calendar, start, amount, SlaUnit.Hours) - from).ShouldBe(TimeSpan.FromHours(amount));
        }
    }

    [Theory]
    [MemberData(nameof(Starts))]
    public void A_later_start_or_a_pause_never_makes_a_due_earlier(string name, string start)
    {
        var calendar = Named[name]!;
        var from = At(start);
        Pause[] pause = [new(from.AddHours(1), from.AddHours(30))];
        foreach (var unit in Enum.GetValues<SlaUnit>())
        {
            var due = Due(calendar, start, 2, unit);
            Due(calendar, start, 2, unit, pause).ShouldBeGreaterThanOrEqualTo(due);
            if (unit != SlaUnit.BusinessDays) // see the test below
            {
                SlaClock.Due(calendar, from.AddHours(1), new SlaTarget(2, unit), []).ShouldBeGreaterThanOrEqualTo(due);
            }
        }
        // With a pause, every business unit runs exactly its unpaused open time outside the pause.
        foreach (var unit in new[] { SlaUnit.BusinessHours, SlaUnit.BusinessDays, SlaUnit.EndOfBusinessDay })
        {
            var paused = Due(calendar, start, 2, unit, pause);
            var held = calendar.BusinessTime(pause[0].From, pause[0].To < paused ? pause[0].To : paused);
            (calendar.BusinessTime(from, paused) - held).ShouldBe(calendar.BusinessTime(from, Due(calendar, start, 2, unit)));
        }
    }

    // CARE-11's own examples: "the same time of day, or the next opening" is not monotonic in the start.
    [Fact]
    public void Business_days_from_Friday_evening_can_fall_due_after_those_from_Saturday_morning() =>
        Due(Named["New York"], "2025-06-06T18:00-04:00", 2, SlaUnit.BusinessDays)
            .ShouldBeGreaterThan(Due(Named["New York"], "2025-06-07T10:00-04:00", 2, SlaUnit.BusinessDays));

    [Fact]
    public void The_due_is_UTC_to_the_second()
    {
        var due = Due(Named["New York"], "2025-06-09T10:00:00.999-04:00", 1, SlaUnit.BusinessHours);

        due.ShouldBe(At("2025-06-09T15:00:00Z"));
        due.Offset.ShouldBe(TimeSpan.Zero);
        due.Millisecond.ShouldBe(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_amount_below_one_is_a_mistake(int amount) =>
        Should.Throw<ArgumentOutOfRangeException>(() => Due(null, "2025-06-09T10:00:00Z", amount, SlaUnit.Minutes));

    [Fact]
    public void A_pause_that_ends_before_it_starts_is_a_mistake() =>
        Should.Throw<ArgumentException>(() => Due(null, "2025-06-09T10:00:00Z", 1, SlaUnit.Minutes, Pauses("2025-06-09T11:00:00Z/2025-06-09T10:00:00Z")));

    [Fact]
    public void A_clock_held_hundreds_of_times_keeps_the_last_pauses_apart_and_merges_the_oldest()
    {
        // An hour held every day at 10:00 for 250 days: the column stays bounded, and the merged
        // oldest pause only ever holds more (the due never comes sooner than with every pause kept).
        var start = At("2025-01-01T00:00:00Z");
        var clock = new TicketSlaClock { Target = SlaTargets.Resolve, StartedAt = start };
        var all = Enumerable.Range(0, 250).Select(d => new Pause(start.AddDays(d).AddHours(10), start.AddDays(d).AddHours(11))).ToList();
        foreach (var pause in all)
        {
            clock.AddPause(pause);
        }
        var kept = clock.PauseList();
        kept.Count.ShouldBe(TicketSlaClock.MaxPauses);
        kept[0].ShouldBe(new Pause(all[0].From, all[50].To));
        kept[1..].ShouldBe(all[51..]);
        clock.Pauses.Length.ShouldBeLessThan(20_000);
        var target = new SlaTarget(400 * 24, SlaUnit.Hours);
        SlaClock.Due(null, start, target, kept).ShouldBeGreaterThanOrEqualTo(SlaClock.Due(null, start, target, all));
    }

    private static DateTimeOffset Due(BusinessCalendar? calendar, string start, int amount, SlaUnit unit, params Pause[] pauses) =>
        SlaClock.Due(calendar, At(start), new SlaTarget(amount, unit), pauses);

    // "from/to|from/to"
    private static Pause[] Pauses(string pauses) =>
        [.. pauses.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('/')).Select(p => new Pause(At(p[0]), At(p[1])))];
}
