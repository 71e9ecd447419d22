namespace Layan.Features.Tickets.Sla;

/// <summary>TKT-6: how a target's amount is counted (CARE-11).</summary>
internal enum SlaUnit
{
    /// <summary>Elapsed minutes; the calendar plays no part.</summary>
    Minutes,

    /// <summary>Elapsed hours; the calendar plays no part (4 hours across a DST change are 4 real hours).</summary>
    Hours,

    /// <summary>Hours of opening time.</summary>
    BusinessHours,

    /// <summary>The same local time of day on the Nth following business day, or the next opening after it.</summary>
    BusinessDays,

    /// <summary>The closing time of the Nth business day after the day of entry.</summary>
    EndOfBusinessDay,
}

/// <summary>TKT-6: a target of a policy, e.g. 2 <see cref="SlaUnit.BusinessDays"/>.</summary>
internal sealed record SlaTarget(int Amount, SlaUnit Unit);

/// <summary>CARE-11: an interval [From, To) in which a target's clock does not run.</summary>
internal sealed record Pause(DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// CARE-11, TKT-6: when a target started at an instant falls due. Pure arithmetic over UTC
/// instants, to the second (inputs are truncated to whole seconds; the due is UTC).
/// <list type="bullet">
/// <item>A null calendar is the 24x7 clock (<see cref="BusinessCalendar.AlwaysOpen"/>): every day is
/// a business day and every hour is open, in UTC. So business hours are elapsed hours, N business
/// days are N × 24 elapsed hours, and the end of the Nth business day is the UTC midnight ending
/// the Nth day after the day of entry.</item>
/// <item>Pauses may overlap, lie before the start or outside opening hours. For elapsed units a
/// pause holds the clock for as long as it overlaps the running time; for business units only
/// paused <em>open</em> time counts.</item>
/// <item>Business days and end of business day first find the due without pauses, then run on from
/// it for as much open, unpaused time as was paused before it: the fixed point of "extend by the
/// paused open time until stable", since a pause after the unpaused due holds the extension too.
/// A business-days due still lands on an opening: extended to a closing, it is the next opening.</item>
/// <item>A pause that begins exactly at the due does not move it: the target was due first.</item>
/// </list>
/// </summary>
internal static class SlaClock
{
    /// <exception cref="ArgumentOutOfRangeException">An amount below 1 or an unknown unit.</exception>
    /// <exception cref="ArgumentException">A pause that ends before it starts.</exception>
    public static DateTimeOffset Due(BusinessCalendar? calendar, DateTimeOffset start, SlaTarget target, IReadOnlyList<Pause> pauses)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(target.Amount);
        calendar ??= BusinessCalendar.AlwaysOpen;
        start = ToSecond(start);
        var held = Held(pauses, start);
        var amount = target.Amount;
        switch (target.Unit)
        {
            case SlaUnit.Minutes:
                return Run(BusinessCalendar.AlwaysOpen, start, TimeSpan.FromMinutes(amount), held);
            case SlaUnit.Hours:
                return Run(BusinessCalendar.AlwaysOpen, start, TimeSpan.FromHours(amount), held);
            case SlaUnit.BusinessHours:
                return Run(calendar, start, TimeSpan.FromHours(amount), held);
            case SlaUnit.BusinessDays:
                var (entry, timeOfDay) = calendar.ToLocal(start);
                var sameTime = calendar.NextOpening(calendar.ToUtc(calendar.BusinessDayAfter(entry, amount), timeOfDay));
                return calendar.NextOpening(Extend(calendar, start, sameTime, held));
            case SlaUnit.EndOfBusinessDay:
                var closing = calendar.ClosingTime(calendar.BusinessDayAfter(calendar.ToLocal(start).Date, amount));
                return Extend(calendar, start, closing, held);
            default:
                throw new ArgumentOutOfRangeException(nameof(target), target.Unit, "Unknown SLA unit.");
        }
    }

    // The due unpaused, moved on by as much running time as there was open time held before it.
    private static DateTimeOffset Extend(BusinessCalendar calendar, DateTimeOffset start, DateTimeOffset unpaused, IReadOnlyList<Pause> held)
    {
        var paused = held.Where(p => p.From < unpaused)
            .Aggregate(TimeSpan.Zero, (sum, p) => sum + calendar.BusinessTime(p.From > start ? p.From : start, p.To < unpaused ? p.To : unpaused));
        return paused == TimeSpan.Zero ? unpaused : Run(calendar, unpaused, paused, held);
    }

    // The first instant by which the clock has run for amount: open and not held.
    private static DateTimeOffset Run(BusinessCalendar calendar, DateTimeOffset start, TimeSpan amount, IReadOnlyList<Pause> held)
    {
        var remaining = amount;
        foreach (var (from, to) in Running(calendar, start, held))
        {
            if (to - from >= remaining)
            {
                return from + remaining;
            }
            remaining -= to - from;
        }
        throw new InvalidOperationException("Unreachable: opening intervals never end.");
    }

    // The open intervals from start on, less the held (sorted, merged) pauses.
    private static IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Running(BusinessCalendar calendar, DateTimeOffset start, IReadOnlyList<Pause> held)
    {
        var next = 0;
        foreach (var (open, close) in calendar.OpenIntervals(start))
        {
            var cursor = open;
            while (next < held.Count && held[next].To <= cursor)
            {
                next++;
            }
            for (var i = next; i < held.Count && held[i].From < close; i++)
            {
                if (held[i].From > cursor)
                {
                    yield return (cursor, held[i].From);
                }
                if (held[i].To > cursor)
                {
                    cursor = held[i].To;
                }
            }
            if (cursor < close)
            {
                yield return (cursor, close);
            }
        }
    }

    // The pauses that end after start, to the second, sorted and merged so that none overlap.
    private static List<Pause> Held(IReadOnlyList<Pause> pauses, DateTimeOffset start)
    {
        var held = new List<Pause>();
        foreach (var pause in pauses.Select(p => new Pause(ToSecond(p.From), ToSecond(p.To))).OrderBy(p => p.From))
        {
            if (pause.To < pause.From)
            {
                throw new ArgumentException($"A pause ends before it starts: {pause}.", nameof(pauses));
            }
            if (pause.To <= start || pause.To == pause.From)
            {
                continue;
            }
            if (held.Count > 0 && pause.From <= held[^1].To)
            {
                held[^1] = held[^1] with { To = pause.To > held[^1].To ? pause.To : held[^1].To };
            }
            else
            {
                held.Add(pause);
            }
        }
        return held;
    }

    private static DateTimeOffset ToSecond(DateTimeOffset instant) =>
        new(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
