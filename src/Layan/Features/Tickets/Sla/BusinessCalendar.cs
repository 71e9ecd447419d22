namespace Layan.Features.Tickets.Sla;

/// <summary>
/// CARE-11, TKT-6: one opening range of one weekday, in the calendar's local time. Ranges stay
/// within their day: a <see cref="Close"/> of 00:00 means midnight at the <em>end</em> of the day
/// (the API's "24:00"), so 00:00–00:00 is the whole day and 22:00–06:00 is written as two ranges.
/// </summary>
internal sealed record OpeningRange(DayOfWeek Day, TimeOnly Open, TimeOnly Close)
{
    /// <summary>The opening as a time of day.</summary>
    public TimeSpan Start => Open.ToTimeSpan();

    /// <summary>The closing as a time of day: up to 24 hours, which is midnight ending the day.</summary>
    public TimeSpan End => Close == TimeOnly.MinValue ? TimeSpan.FromDays(1) : Close.ToTimeSpan();

    /// <summary>A real weekday and a closing after the opening.</summary>
    public bool IsWellFormed => Enum.IsDefined(Day) && End > Start;

    /// <summary>Shares some time with <paramref name="other"/>; ranges that only touch do not overlap.</summary>
    public bool Overlaps(OpeningRange other) => Day == other.Day && Start < other.End && other.Start < End;
}

/// <summary>
/// CARE-11, TKT-6: an IANA time zone, weekly opening hours (several ranges a day) and holidays
/// (local dates). Instants in may carry any offset, instants out are UTC; an opening interval is
/// half-open, [open, close), so the closing instant itself is outside opening hours.
/// <para>
/// Local times become instants by <see cref="ToUtc"/>: a time inside a spring-forward gap maps
/// forward to the end of the gap (the first instant that exists), an ambiguous time of a fall-back
/// hour maps to the earlier instant. That mapping never decreases, so a range counts the real
/// time that elapses between its opening and its closing: 01:00–05:00 is 3 hours on a
/// spring-forward day and 5 on a fall-back day, and a range inside a gap is empty.
/// </para>
/// </summary>
internal sealed class BusinessCalendar
{
    private readonly OpeningRange[][] _hoursByDay;
    private readonly HashSet<DateOnly> _holidays;

    /// <exception cref="ArgumentException">No ranges, a malformed range, or two ranges that overlap.</exception>
    public BusinessCalendar(TimeZoneInfo zone, IEnumerable<OpeningRange> hours, IEnumerable<DateOnly> holidays)
    {
        var ranges = hours.ToList();
        if (ranges.Count == 0 || ranges.Any(r => !r.IsWellFormed))
        {
            throw new ArgumentException("A calendar needs at least one range, each closing after it opens.", nameof(hours));
        }
        if (ranges.Where((r, i) => ranges.Take(i).Any(r.Overlaps)).Any())
        {
            throw new ArgumentException("Opening ranges of a day must not overlap.", nameof(hours));
        }
        Zone = zone;
        _hoursByDay = [.. Enum.GetValues<DayOfWeek>().Select(d => ranges.Where(r => r.Day == d).OrderBy(r => r.Start).ToArray())];
        _holidays = [.. holidays];
    }

    /// <summary>The 24x7 clock: open all day every day, in UTC, no holidays.</summary>
    public static BusinessCalendar AlwaysOpen { get; } =
        new(TimeZoneInfo.Utc, Enum.GetValues<DayOfWeek>().Select(d => new OpeningRange(d, TimeOnly.MinValue, TimeOnly.MinValue)), []);

    public TimeZoneInfo Zone { get; }

    /// <summary>The open time of a week without holidays or DST changes.</summary>
    public TimeSpan WeeklyOpenTime => _hoursByDay.SelectMany(d => d).Aggregate(TimeSpan.Zero, (sum, r) => sum + (r.End - r.Start));

    /// <summary>How many weekdays have opening hours.</summary>
    public int BusinessDaysPerWeek => _hoursByDay.Count(d => d.Length > 0);

    /// <summary>A local date with opening hours that is not a holiday.</summary>
    public bool IsBusinessDay(DateOnly date) => _hoursByDay[(int)date.DayOfWeek].Length > 0 && !_holidays.Contains(date);

    /// <summary>The <paramref name="count"/>th business day after <paramref name="date"/>, which itself never counts.</summary>
    public DateOnly BusinessDayAfter(DateOnly date, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (var found = 0; found < count;)
        {
            date = date.AddDays(1);
            if (IsBusinessDay(date))
            {
                found++;
            }
        }
        return date;
    }

    /// <summary>When a business day closes: the end of its last range.</summary>
    public DateTimeOffset ClosingTime(DateOnly businessDay) => ToUtc(businessDay, _hoursByDay[(int)businessDay.DayOfWeek][^1].End);

    public bool IsOpen(DateTimeOffset instant) => NextOpening(instant) == instant;

    /// <summary><paramref name="instant"/> itself when open, else the next instant the calendar opens.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset instant) => OpenIntervals(instant).First().From;

    /// <summary>How much open time lies in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public TimeSpan BusinessTime(DateTimeOffset from, DateTimeOffset to)
    {
        var total = TimeSpan.Zero;
        foreach (var (open, close) in OpenIntervals(from))
        {
            if (open >= to)
            {
                break;
            }
            total += (close < to ? close : to) - open;
        }
        return total;
    }

    /// <summary>
    /// The open intervals from <paramref name="from"/> on, in order, the first cut to start there;
    /// one per range and day (ranges that touch are not merged). Endless: the caller stops.
    /// </summary>
    public IEnumerable<(DateTimeOffset From, DateTimeOffset To)> OpenIntervals(DateTimeOffset from)
    {
        // A range ends by midnight, so nothing before from's local date reaches from.
        for (var date = ToLocal(from).Date; ; date = date.AddDays(1))
        {
            if (_holidays.Contains(date))
            {
                continue;
            }
            foreach (var range in _hoursByDay[(int)date.DayOfWeek])
            {
                var open = ToUtc(date, range.Start);
                var close = ToUtc(date, range.End);
                if (open < from)
                {
                    open = from;
                }
                if (open < close)
                {
                    yield return (open, close);
                }
            }
        }
    }

    /// <summary>The local date and time of day at <paramref name="instant"/>.</summary>
    public (DateOnly Date, TimeSpan TimeOfDay) ToLocal(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Zone);
        return (DateOnly.FromDateTime(local.DateTime), local.TimeOfDay);
    }

    /// <summary>
    /// The instant (UTC) of a local date and time of day (up to 24 hours, the next midnight).
    /// A time in a gap gives the end of the gap; an ambiguous one the earlier instant.
    /// TimeZoneInfo.ConvertTimeToUtc would throw on the first, so offsets are tried by hand.
    /// </summary>
    public DateTimeOffset ToUtc(DateOnly date, TimeSpan timeOfDay)
    {
        // The wall-clock reading written as if it were UTC; minus the offset in force, it is the instant.
        var reading = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) + timeOfDay;
        // Real zones do not change their offset twice within two days, so these are the only candidates.
        var before = Zone.GetUtcOffset(reading.AddDays(-1));
        var after = Zone.GetUtcOffset(reading.AddDays(1));
        var early = reading - (before > after ? before : after);
        var late = reading - (before > after ? after : before);
        if (Zone.GetUtcOffset(early) == reading - early)
        {
            return new DateTimeOffset(early, TimeSpan.Zero);
        }
        if (Zone.GetUtcOffset(late) == reading - late)
        {
            return new DateTimeOffset(late, TimeSpan.Zero);
        }
        // In the gap: the offset changes between early and late; find the instant it does.
        var offsetBefore = Zone.GetUtcOffset(early);
        while (late - early > TimeSpan.FromTicks(1))
        {
            var middle = early + ((late - early) / 2);
            if (Zone.GetUtcOffset(middle) == offsetBefore)
            {
                early = middle;
            }
            else
            {
                late = middle;
            }
        }
        return new DateTimeOffset(late, TimeSpan.Zero);
    }
}
