using System.Globalization;
using Layan.Features.Tickets.Sla;

namespace Layan.Tests.Unit.Sla;

/// <summary>Calendars and instants written the way the tables read.</summary>
internal static class Calendars
{
    public static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    public static readonly DayOfWeek[] EveryDay = Enum.GetValues<DayOfWeek>();

    /// <summary>Monday to Friday 09:00–17:00, the hours of CARE-11's examples.</summary>
    public static BusinessCalendar NineToFive(string zone, params string[] holidays) => Open(zone, Weekdays, ["09:00-17:00"], holidays);

    /// <summary>Ranges such as "08:00-12:00" on each of <paramref name="days"/>; "24:00" closes at midnight.</summary>
    public static BusinessCalendar Open(string zone, DayOfWeek[] days, string[] ranges, params string[] holidays) =>
        new(
            TimeZoneInfo.FindSystemTimeZoneById(zone),
            days.SelectMany(d => ranges.Select(r => new OpeningRange(d, Time(r[..5]), Time(r[6..])))),
            holidays.Select(h => DateOnly.ParseExact(h, "yyyy-MM-dd", CultureInfo.InvariantCulture)));

    /// <summary>An instant in ISO 8601 with its offset, e.g. "2025-06-07T10:00-04:00".</summary>
    public static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    public static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static TimeSpan TimeOfDay(string text) => text == "24:00" ? TimeSpan.FromDays(1) : Time(text).ToTimeSpan();

    private static TimeOnly Time(string text) => text == "24:00" ? TimeOnly.MinValue : TimeOnly.ParseExact(text, "HH:mm", CultureInfo.InvariantCulture);
}
