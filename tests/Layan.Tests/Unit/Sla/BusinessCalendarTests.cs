using Layan.Features.Tickets.Sla;
using Shouldly;
using static Layan.Tests.Unit.Sla.Calendars;

namespace Layan.Tests.Unit.Sla;

// Covers CARE-11 and TKT-6 calendars: local times in DST gaps map forward and ambiguous ones to
// the earlier instant, opening ranges count real time on 23- and 25-hour days, several ranges a
// day, midnight closings, holidays as local dates. 2025 changes: New York Mar 9 / Nov 2 at 02:00,
// Berlin Mar 30 02:00 / Oct 26 03:00, Auckland Apr 6 03:00 / Sep 28 02:00; Jakarta and Kolkata none.
public sealed class BusinessCalendarTests
{
    private static readonly string[] AllDay = ["00:00-24:00"];

    [Theory]
    [InlineData("America/New_York", "2025-06-07", "10:00", "2025-06-07T10:00-04:00")]
    [InlineData("America/New_York", "2025-01-15", "10:00", "2025-01-15T10:00-05:00")]
    [InlineData("America/New_York", "2025-03-09", "01:59", "2025-03-09T01:59-05:00")]
    [InlineData("America/New_York", "2025-03-09", "02:00", "2025-03-09T03:00-04:00")]
    [InlineData("America/New_York", "2025-03-09", "02:30", "2025-03-09T03:00-04:00")]
    [InlineData("America/New_York", "2025-03-09", "02:59", "2025-03-09T03:00-04:00")]
    [InlineData("America/New_York", "2025-03-09", "03:00", "2025-03-09T03:00-04:00")]
    [InlineData("America/New_York", "2025-03-09", "03:30", "2025-03-09T03:30-04:00")]
    [InlineData("America/New_York", "2025-03-08", "24:00", "2025-03-09T00:00-05:00")]
    [InlineData("America/New_York", "2025-03-09", "24:00", "2025-03-10T00:00-04:00")]
    [InlineData("America/New_York", "2025-11-02", "00:59", "2025-11-02T00:59-04:00")]
    [InlineData("America/New_York", "2025-11-02", "01:00", "2025-11-02T01:00-04:00")]
    [InlineData("America/New_York", "2025-11-02", "01:30", "2025-11-02T01:30-04:00")]
    [InlineData("America/New_York", "2025-11-02", "01:59", "2025-11-02T01:59-04:00")]
    [InlineData("America/New_York", "2025-11-02", "02:00", "2025-11-02T02:00-05:00")]
    [InlineData("America/New_York", "2025-11-02", "24:00", "2025-11-03T00:00-05:00")]
    [InlineData("America/New_York", "2025-12-31", "24:00", "2026-01-01T00:00-05:00")]
    [InlineData("America/New_York", "2026-03-08", "02:15", "2026-03-08T03:00-04:00")]
    [InlineData("America/New_York", "2026-11-01", "01:15", "2026-11-01T01:15-04:00")]
    [InlineData("Europe/Berlin", "2025-03-30", "01:59", "2025-03-30T01:59+01:00")]
    [InlineData("Europe/Berlin", "2025-03-30", "02:00", "2025-03-30T03:00+02:00")]
    [InlineData("Europe/Berlin", "2025-03-30", "02:30", "2025-03-30T03:00+02:00")]
    [InlineData("Europe/Berlin", "2025-03-30", "03:00", "2025-03-30T03:00+02:00")]
    [InlineData("Europe/Berlin", "2025-10-26", "01:59", "2025-10-26T01:59+02:00")]
    [InlineData("Europe/Berlin", "2025-10-26", "02:00", "2025-10-26T02:00+02:00")]
    [InlineData("Europe/Berlin", "2025-10-26", "02:30", "2025-10-26T02:30+02:00")]
    [InlineData("Europe/Berlin", "2025-10-26", "03:00", "2025-10-26T03:00+01:00")]
    [InlineData("Europe/Berlin", "2025-12-31", "23:00", "2025-12-31T23:00+01:00")]
    [InlineData("Pacific/Auckland", "2025-09-28", "01:59", "2025-09-28T01:59+12:00")]
    [InlineData("Pacific/Auckland", "2025-09-28", "02:00", "2025-09-28T03:00+13:00")]
    [InlineData("Pacific/Auckland", "2025-09-28", "02:45", "2025-09-28T03:00+13:00")]
    [InlineData("Pacific/Auckland", "2025-09-28", "03:00", "2025-09-28T03:00+13:00")]
    [InlineData("Pacific/Auckland", "2025-04-06", "01:59", "2025-04-06T01:59+13:00")]
    [InlineData("Pacific/Auckland", "2025-04-06", "02:00", "2025-04-06T02:00+13:00")]
    [InlineData("Pacific/Auckland", "2025-04-06", "02:30", "2025-04-06T02:30+13:00")]
    [InlineData("Pacific/Auckland", "2025-04-06", "03:00", "2025-04-06T03:00+12:00")]
    [InlineData("Pacific/Auckland", "2025-12-31", "24:00", "2026-01-01T00:00+13:00")]
    [InlineData("Asia/Jakarta", "2025-03-09", "02:30", "2025-03-09T02:30+07:00")]
    [InlineData("Asia/Jakarta", "2025-11-02", "01:30", "2025-11-02T01:30+07:00")]
    [InlineData("Asia/Kolkata", "2025-03-30", "02:30", "2025-03-30T02:30+05:30")]
    [InlineData("Asia/Kolkata", "2025-12-31", "23:59", "2025-12-31T23:59+05:30")]
    public void ToUtc_maps_gaps_forward_and_ambiguous_times_to_the_earlier_instant(string zone, string date, string time, string expected)
    {
        var utc = Open(zone, EveryDay, AllDay).ToUtc(Date(date), TimeOfDay(time));

        utc.ShouldBe(At(expected));
        utc.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("America/New_York", "2025-11-02T05:30:00Z", "2025-11-02", "01:30")]
    [InlineData("America/New_York", "2025-11-02T06:30:00Z", "2025-11-02", "01:30")]
    [InlineData("America/New_York", "2025-03-09T07:00:00Z", "2025-03-09", "03:00")]
    [InlineData("America/New_York", "2025-03-09T06:59:00Z", "2025-03-09", "01:59")]
    [InlineData("Europe/Berlin", "2025-10-26T00:30:00Z", "2025-10-26", "02:30")]
    [InlineData("Europe/Berlin", "2025-10-26T01:30:00Z", "2025-10-26", "02:30")]
    [InlineData("Pacific/Auckland", "2025-12-31T11:30:00Z", "2026-01-01", "00:30")]
    [InlineData("Asia/Kolkata", "2025-12-31T18:30:00Z", "2026-01-01", "00:00")]
    [InlineData("Asia/Jakarta", "2025-12-31T16:59:00Z", "2025-12-31", "23:59")]
    public void ToLocal_reads_the_wall_clock(string zone, string instant, string date, string time)
    {
        var (localDate, timeOfDay) = Open(zone, EveryDay, AllDay).ToLocal(At(instant));

        localDate.ShouldBe(Date(date));
        timeOfDay.ShouldBe(TimeOfDay(time));
    }

    // The open time of one range on one date, in minutes: real elapsed time between the mapped instants.
    [Theory]
    [InlineData("America/New_York", "2025-06-07", "00:00-24:00", 24 * 60)]
    [InlineData("America/New_York", "2025-03-09", "00:00-24:00", 23 * 60)]
    [InlineData("America/New_York", "2025-11-02", "00:00-24:00", 25 * 60)]
    [InlineData("America/New_York", "2025-03-10", "01:00-05:00", 4 * 60)]
    [InlineData("America/New_York", "2025-03-09", "01:00-05:00", 3 * 60)]
    [InlineData("America/New_York", "2025-11-02", "01:00-05:00", 5 * 60)]
    [InlineData("America/New_York", "2025-03-09", "02:00-03:00", 0)]
    [InlineData("America/New_York", "2025-03-09", "02:30-04:00", 60)]
    [InlineData("America/New_York", "2025-03-09", "01:30-02:30", 30)]
    [InlineData("America/New_York", "2025-11-02", "01:00-02:00", 2 * 60)]
    [InlineData("America/New_York", "2025-11-02", "02:00-03:00", 60)]
    [InlineData("America/New_York", "2025-11-02", "00:00-01:30", 90)]
    [InlineData("America/New_York", "2025-11-02", "01:30-03:00", 150)]
    [InlineData("America/New_York", "2025-11-02", "09:00-17:00", 8 * 60)]
    [InlineData("Europe/Berlin", "2025-03-30", "00:00-24:00", 23 * 60)]
    [InlineData("Europe/Berlin", "2025-10-26", "00:00-24:00", 25 * 60)]
    [InlineData("Europe/Berlin", "2025-03-30", "01:00-05:00", 3 * 60)]
    [InlineData("Europe/Berlin", "2025-10-26", "01:00-05:00", 5 * 60)]
    [InlineData("Europe/Berlin", "2025-03-30", "02:00-03:00", 0)]
    [InlineData("Europe/Berlin", "2025-10-26", "02:00-03:00", 2 * 60)]
    [InlineData("Europe/Berlin", "2025-10-26", "08:00-12:00", 4 * 60)]
    [InlineData("Pacific/Auckland", "2025-09-28", "00:00-24:00", 23 * 60)]
    [InlineData("Pacific/Auckland", "2025-04-06", "00:00-24:00", 25 * 60)]
    [InlineData("Pacific/Auckland", "2025-09-28", "01:00-05:00", 3 * 60)]
    [InlineData("Pacific/Auckland", "2025-04-06", "01:00-05:00", 5 * 60)]
    [InlineData("Pacific/Auckland", "2025-04-06", "02:30-03:00", 90)]
    [InlineData("Asia/Jakarta", "2025-03-09", "00:00-24:00", 24 * 60)]
    [InlineData("Asia/Jakarta", "2025-11-02", "01:00-05:00", 4 * 60)]
    [InlineData("Asia/Kolkata", "2025-03-30", "00:00-24:00", 24 * 60)]
    [InlineData("Asia/Kolkata", "2025-10-26", "01:00-05:00", 4 * 60)]
    public void A_range_counts_the_real_time_between_its_opening_and_closing(string zone, string date, string range, int minutes)
    {
        var day = Date(date);
        var calendar = Open(zone, [day.DayOfWeek], [range]);

        calendar.BusinessTime(calendar.ToUtc(day, TimeSpan.Zero), calendar.ToUtc(day, TimeSpan.FromDays(1))).ShouldBe(TimeSpan.FromMinutes(minutes));
    }

    [Theory]
    [InlineData("2025-06-09T09:00-04:00", true)] // Monday opening
    [InlineData("2025-06-09T13:00:00Z", true)]
    [InlineData("2025-06-09T08:59:59-04:00", false)]
    [InlineData("2025-06-09T12:59:59Z", false)]
    [InlineData("2025-06-09T16:59:59-04:00", true)]
    [InlineData("2025-06-09T17:00-04:00", false)] // closing is not open
    [InlineData("2025-06-09T23:00-04:00", false)]
    [InlineData("2025-06-07T12:00-04:00", false)] // Saturday
    [InlineData("2025-06-08T12:00-04:00", false)] // Sunday
    [InlineData("2025-06-13T16:30-04:00", true)] // Friday
    [InlineData("2025-12-24T12:00-05:00", true)]
    [InlineData("2025-12-25T12:00-05:00", false)] // holiday, a Thursday
    [InlineData("2025-12-25T03:00:00Z", false)] // still Dec 24 22:00 locally
    [InlineData("2025-12-25T14:00:00Z", false)]
    [InlineData("2025-12-26T09:00-05:00", true)]
    [InlineData("2025-12-31T16:00-05:00", true)]
    [InlineData("2026-01-01T10:00-05:00", false)] // holiday
    [InlineData("2026-01-02T10:00-05:00", true)]
    [InlineData("2025-03-10T09:30-04:00", true)] // first Monday of summer time
    [InlineData("2025-03-10T13:30:00Z", true)]
    [InlineData("2025-03-10T12:30:00Z", false)] // 08:30 EDT, would be 07:30 EST
    [InlineData("2025-11-03T09:00-05:00", true)]
    [InlineData("2025-11-03T13:30:00Z", false)] // 08:30 EST
    public void IsOpen_nine_to_five_in_New_York(string instant, bool open) =>
        NineToFive("America/New_York", "2025-12-25", "2026-01-01").IsOpen(At(instant)).ShouldBe(open);

    [Theory]
    [InlineData("2025-06-10T08:00+02:00", true)]
    [InlineData("2025-06-10T07:59:59+02:00", false)]
    [InlineData("2025-06-10T11:59:59+02:00", true)]
    [InlineData("2025-06-10T12:00+02:00", false)] // lunch
    [InlineData("2025-06-10T12:30+02:00", false)]
    [InlineData("2025-06-10T13:00+02:00", true)]
    [InlineData("2025-06-10T16:59:59+02:00", true)]
    [InlineData("2025-06-10T17:00+02:00", false)]
    [InlineData("2025-06-14T10:00+02:00", false)] // Saturday
    [InlineData("2025-12-31T11:00+01:00", true)]
    [InlineData("2026-01-01T11:00+01:00", true)] // no holidays in this calendar
    public void IsOpen_with_two_ranges_a_day_in_Berlin(string instant, bool open) =>
        Open("Europe/Berlin", Weekdays, ["08:00-12:00", "13:00-17:00"]).IsOpen(At(instant)).ShouldBe(open);

    [Theory]
    [InlineData("Asia/Kolkata", "09:30-18:30", "2025-06-09T04:00:00Z", true)] // 09:30 IST
    [InlineData("Asia/Kolkata", "09:30-18:30", "2025-06-09T03:59:59Z", false)]
    [InlineData("Asia/Kolkata", "09:30-18:30", "2025-06-09T12:59:59Z", true)]
    [InlineData("Asia/Kolkata", "09:30-18:30", "2025-06-09T13:00:00Z", false)] // 18:30 IST
    [InlineData("Asia/Jakarta", "08:00-16:00", "2025-06-09T01:00:00Z", true)] // 08:00 WIB
    [InlineData("Asia/Jakarta", "08:00-16:00", "2025-06-09T00:59:59Z", false)]
    [InlineData("Asia/Jakarta", "08:00-16:00", "2025-06-09T09:00:00Z", false)]
    [InlineData("America/New_York", "20:00-24:00", "2025-06-09T23:59:59-04:00", true)]
    [InlineData("America/New_York", "20:00-24:00", "2025-06-10T00:00-04:00", false)]
    [InlineData("America/New_York", "20:00-24:00", "2025-06-09T20:00-04:00", true)]
    [InlineData("America/New_York", "00:00-01:30", "2025-11-02T01:15-04:00", true)]
    [InlineData("America/New_York", "00:00-01:30", "2025-11-02T01:15-05:00", false)] // the repeated hour, after closing
    [InlineData("America/New_York", "00:00-24:00", "2025-11-02T01:15-05:00", true)]
    [InlineData("America/New_York", "02:00-03:00", "2025-03-09T07:00:00Z", false)] // inside the gap: empty that day
    [InlineData("America/New_York", "02:00-03:00", "2025-03-16T06:30:00Z", true)]
    public void IsOpen_every_day(string zone, string range, string instant, bool open) =>
        Open(zone, EveryDay, [range]).IsOpen(At(instant)).ShouldBe(open);

    [Theory]
    [InlineData("2025-06-09T10:00-04:00", "2025-06-09T10:00-04:00")] // open: itself
    [InlineData("2025-06-09T08:00-04:00", "2025-06-09T09:00-04:00")]
    [InlineData("2025-06-09T17:00-04:00", "2025-06-10T09:00-04:00")]
    [InlineData("2025-06-06T17:00-04:00", "2025-06-09T09:00-04:00")] // Friday closing → Monday
    [InlineData("2025-06-07T10:00-04:00", "2025-06-09T09:00-04:00")]
    [InlineData("2025-06-08T23:59:59-04:00", "2025-06-09T09:00-04:00")]
    [InlineData("2025-12-24T17:00-05:00", "2025-12-26T09:00-05:00")] // over the holiday
    [InlineData("2025-12-31T17:00-05:00", "2026-01-02T09:00-05:00")] // over the year end and its holiday
    [InlineData("2025-03-07T17:00-05:00", "2025-03-10T09:00-04:00")] // over the spring change
    [InlineData("2025-10-31T18:00-04:00", "2025-11-03T09:00-05:00")] // over the autumn change
    public void NextOpening_nine_to_five_in_New_York(string instant, string expected) =>
        NineToFive("America/New_York", "2025-12-25", "2026-01-01").NextOpening(At(instant)).ShouldBe(At(expected));

    [Theory]
    [InlineData("Europe/Berlin", "08:00-12:00,13:00-17:00", "2025-06-10T12:00+02:00", "2025-06-10T13:00+02:00")]
    [InlineData("Europe/Berlin", "08:00-12:00,13:00-17:00", "2025-06-10T12:30+02:00", "2025-06-10T13:00+02:00")]
    [InlineData("Europe/Berlin", "08:00-12:00,13:00-17:00", "2025-06-13T17:00+02:00", "2025-06-16T08:00+02:00")]
    [InlineData("Europe/Berlin", "08:00-12:00,13:00-17:00", "2025-03-28T17:00+01:00", "2025-03-31T08:00+02:00")]
    [InlineData("Asia/Jakarta", "08:00-16:00", "2025-06-13T16:00+07:00", "2025-06-16T08:00+07:00")]
    [InlineData("Asia/Kolkata", "09:30-18:30", "2025-12-31T18:30+05:30", "2026-01-01T09:30+05:30")]
    [InlineData("Pacific/Auckland", "09:00-17:00", "2025-04-04T17:00+13:00", "2025-04-07T09:00+12:00")]
    [InlineData("Pacific/Auckland", "09:00-17:00", "2025-09-26T17:00+12:00", "2025-09-29T09:00+13:00")]
    public void NextOpening_on_weekdays(string zone, string ranges, string instant, string expected) =>
        Open(zone, Weekdays, ranges.Split(',')).NextOpening(At(instant)).ShouldBe(At(expected));

    [Theory]
    [InlineData("America/New_York", "02:30-06:00", "2025-03-09T01:00-05:00", "2025-03-09T03:00-04:00")] // opening in the gap
    [InlineData("America/New_York", "02:30-06:00", "2025-03-02T01:00-05:00", "2025-03-02T02:30-05:00")]
    [InlineData("America/New_York", "01:30-06:00", "2025-11-02T00:00-04:00", "2025-11-02T01:30-04:00")] // ambiguous opening
    [InlineData("America/New_York", "02:00-03:00", "2025-03-08T12:00-05:00", "2025-03-16T02:00-04:00")] // empty on the gap day
    [InlineData("Pacific/Auckland", "02:30-04:00", "2025-09-28T01:00+12:00", "2025-09-28T03:00+13:00")]
    [InlineData("Pacific/Auckland", "02:30-04:00", "2025-04-06T00:00+13:00", "2025-04-06T02:30+13:00")]
    [InlineData("Europe/Berlin", "02:15-04:00", "2025-03-30T00:00+01:00", "2025-03-30T03:00+02:00")]
    [InlineData("Europe/Berlin", "02:15-04:00", "2025-10-26T00:00+02:00", "2025-10-26T02:15+02:00")]
    public void NextOpening_on_Sundays_around_DST_changes(string zone, string range, string instant, string expected) =>
        Open(zone, [DayOfWeek.Sunday], [range]).NextOpening(At(instant)).ShouldBe(At(expected));

    [Theory]
    [InlineData("2025-06-09T09:00-04:00", "2025-06-09T17:00-04:00", 8 * 60)]
    [InlineData("2025-06-09T08:00-04:00", "2025-06-10T08:00-04:00", 8 * 60)]
    [InlineData("2025-06-06T16:00-04:00", "2025-06-09T10:00-04:00", 2 * 60)] // over a weekend
    [InlineData("2025-06-07T00:00-04:00", "2025-06-14T00:00-04:00", 40 * 60)] // a week
    [InlineData("2025-06-09T10:00-04:00", "2025-06-09T10:00-04:00", 0)]
    [InlineData("2025-12-24T09:00-05:00", "2025-12-27T00:00-05:00", 16 * 60)] // the 25th is a holiday
    [InlineData("2025-12-31T15:00-05:00", "2026-01-03T00:00-05:00", 10 * 60)] // and so is January 1st
    [InlineData("2025-03-07T16:00-05:00", "2025-03-10T10:00-04:00", 2 * 60)]
    public void BusinessTime_counts_open_time_only(string from, string to, int minutes) =>
        NineToFive("America/New_York", "2025-12-25", "2026-01-01").BusinessTime(At(from), At(to)).ShouldBe(TimeSpan.FromMinutes(minutes));

    [Theory]
    [InlineData("2025-06-09", 1, "2025-06-10")]
    [InlineData("2025-06-06", 1, "2025-06-09")]
    [InlineData("2025-06-07", 1, "2025-06-09")]
    [InlineData("2025-06-09", 5, "2025-06-16")]
    [InlineData("2025-12-24", 1, "2025-12-26")]
    [InlineData("2025-12-23", 3, "2025-12-29")]
    [InlineData("2025-12-31", 1, "2026-01-02")]
    [InlineData("2025-12-25", 1, "2025-12-26")] // from a holiday
    [InlineData("2025-06-09", 0, "2025-06-09")]
    public void BusinessDayAfter_skips_weekends_and_holidays(string date, int count, string expected) =>
        NineToFive("America/New_York", "2025-12-25", "2026-01-01").BusinessDayAfter(Date(date), count).ShouldBe(Date(expected));

    [Fact]
    public void A_calendar_needs_opening_hours() =>
        Should.Throw<ArgumentException>(() => new BusinessCalendar(TimeZoneInfo.Utc, [], []));

    [Theory]
    [InlineData("09:00-09:00")]
    [InlineData("17:00-09:00")]
    [InlineData("09:00-12:00,11:00-13:00")]
    [InlineData("00:00-24:00,23:00-24:00")]
    public void A_calendar_refuses_malformed_or_overlapping_ranges(string ranges) =>
        Should.Throw<ArgumentException>(() => Open("Europe/Berlin", Weekdays, ranges.Split(',')));

    [Fact]
    public void Ranges_that_touch_are_fine_and_count_once()
    {
        var calendar = Open("Europe/Berlin", [DayOfWeek.Monday], ["08:00-12:00", "12:00-13:00"]);

        calendar.IsOpen(At("2025-06-09T12:00+02:00")).ShouldBeTrue();
        calendar.BusinessTime(At("2025-06-09T00:00+02:00"), At("2025-06-10T00:00+02:00")).ShouldBe(TimeSpan.FromHours(5));
    }

    [Fact]
    public void A_range_to_midnight_meets_the_next_days_range_from_midnight()
    {
        var calendar = Open("Asia/Jakarta", EveryDay, ["00:00-06:00", "22:00-24:00"]);

        calendar.IsOpen(At("2025-06-09T23:59:59+07:00")).ShouldBeTrue();
        calendar.IsOpen(At("2025-06-10T00:00+07:00")).ShouldBeTrue();
        calendar.BusinessTime(At("2025-06-09T21:00+07:00"), At("2025-06-10T07:00+07:00")).ShouldBe(TimeSpan.FromHours(8));
    }

    [Fact]
    public void The_24x7_calendar_is_always_open_in_UTC()
    {
        var calendar = BusinessCalendar.AlwaysOpen;

        calendar.Zone.ShouldBe(TimeZoneInfo.Utc);
        calendar.IsOpen(At("2025-03-09T07:00:00Z")).ShouldBeTrue();
        calendar.BusinessTime(At("2025-12-31T22:00:00Z"), At("2026-01-01T02:00:00Z")).ShouldBe(TimeSpan.FromHours(4));
    }
}
