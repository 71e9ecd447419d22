using System.Globalization;
using Layan.Infrastructure;

namespace Layan.Features.Tickets.Sla;

/// <summary>
/// TKT-6: the body of <c>POST /api/v1/sla/preview</c>. Every value is nullable text (or a number)
/// so that a bad one is reported by field rather than thrown by the deserializer.
/// </summary>
internal sealed record SlaPreviewRequest(SlaPreviewCalendar? Calendar, string? Start, SlaPreviewTarget? Target, IReadOnlyList<SlaPreviewPause?>? Pauses);

/// <summary>An IANA zone, ranges such as <c>{ "day": "Monday", "open": "09:00", "close": "17:00" }</c>
/// (a close of "24:00" or "00:00" is midnight ending the day) and holidays <c>yyyy-MM-dd</c>.</summary>
internal sealed record SlaPreviewCalendar(string? TimeZone, IReadOnlyList<SlaPreviewHours?>? Hours, IReadOnlyList<string?>? Holidays);

internal sealed record SlaPreviewHours(string? Day, string? Open, string? Close);

/// <summary>An amount of 1–100000 and a unit: <c>minutes</c>, <c>hours</c>, <c>businessHours</c>, <c>businessDays</c>, <c>endOfBusinessDay</c>.</summary>
internal sealed record SlaPreviewTarget(int? Amount, string? Unit);

internal sealed record SlaPreviewPause(string? From, string? To);

/// <summary>A valid preview request: no calendar means the 24x7 clock.</summary>
internal sealed record SlaPreviewInput(BusinessCalendar? Calendar, DateTimeOffset Start, SlaTarget Target, IReadOnlyList<Pause> Pauses)
{
    public DateTimeOffset Due() => SlaClock.Due(Calendar, Start, Target, Pauses);
}

/// <summary>The answer, <c>{ "due": "2025-06-10T14:00:00Z" }</c> (a UTC <see cref="DateTime"/>, so the JSON ends in Z).</summary>
internal sealed record SlaPreviewResponse(DateTime Due);

/// <summary>The stable codes of SLA validation failures (docs/api.md).</summary>
internal static class SlaErrors
{
    public const string TimeZoneInvalid = "time_zone_invalid";
    public const string HoursRequired = "hours_required";
    public const string HoursInvalid = "hours_invalid";
    public const string HoursOverlap = "hours_overlap";
    public const string DateInvalid = "date_invalid";
    public const string InstantInvalid = "instant_invalid";
    public const string AmountInvalid = "amount_invalid";
    public const string AmountUnreachable = "amount_unreachable";
    public const string UnitInvalid = "unit_invalid";
    public const string PauseInvalid = "pause_invalid";

    public static IReadOnlyList<string> All { get; } =
        [TimeZoneInvalid, HoursRequired, HoursInvalid, HoursOverlap, DateInvalid, InstantInvalid, AmountInvalid, AmountUnreachable, UnitInvalid, PauseInvalid];
}

/// <summary>
/// TKT-6, CARE-11: the SLA preview. Checks the request field by field (fields named as in the
/// JSON, e.g. <c>calendar.hours[2]</c>) and computes the due instant with <see cref="SlaClock"/>.
/// </summary>
internal static class SlaPreview
{
    public const int MaxAmount = 100_000;

    // How far a calendar is searched: 100000 business days Mon–Fri take about 385 years, while one
    // minute a week would need millennia (past the year 9999) for 100000 business hours.
    public const int MaxYears = 500;

    // Wide enough for any policy, narrow enough that no due (even paused for centuries) passes the year 9999.
    private static readonly DateTimeOffset EarliestInstant = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LatestInstant = new(3000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // RFC 3339 with seconds and an explicit offset: an instant without one is not an instant.
    private static readonly string[] InstantFormats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"];

    /// <summary>Validates and computes: the due instant, or every field that is wrong.</summary>
    public static Result<SlaPreviewResponse> Evaluate(SlaPreviewRequest? request)
    {
        var input = Validate(request);
        return input.Succeeded ? new SlaPreviewResponse(input.Value!.Due().UtcDateTime) : Result<SlaPreviewResponse>.Failed(input.Errors);
    }

    public static Result<SlaPreviewInput> Validate(SlaPreviewRequest? request)
    {
        var errors = new List<Failure>();
        var calendar = request?.Calendar is { } body ? ParseCalendar(body, errors) : null;
        var start = ParseInstant(request?.Start, "start", errors);
        var amount = request?.Target?.Amount;
        if (amount is not (>= 1 and <= MaxAmount))
        {
            errors.Add(new Failure(SlaErrors.AmountInvalid, "target.amount"));
        }
        var unit = Named<SlaUnit>(request?.Target?.Unit);
        if (unit is null)
        {
            errors.Add(new Failure(SlaErrors.UnitInvalid, "target.unit"));
        }
        var pauses = new List<Pause>();
        foreach (var (pause, i) in (request?.Pauses ?? []).Select((p, i) => (p, i)))
        {
            if (pause is null)
            {
                errors.Add(new Failure(SlaErrors.PauseInvalid, $"pauses[{i}]"));
                continue;
            }
            var from = ParseInstant(pause.From, $"pauses[{i}].from", errors);
            var to = ParseInstant(pause.To, $"pauses[{i}].to", errors);
            if (from is not null && to is not null)
            {
                if (to <= from)
                {
                    errors.Add(new Failure(SlaErrors.PauseInvalid, $"pauses[{i}]"));
                }
                else
                {
                    pauses.Add(new Pause(from.Value, to.Value));
                }
            }
        }
        if (errors.Count > 0)
        {
            return Result<SlaPreviewInput>.Failed(errors);
        }
        var target = new SlaTarget(amount!.Value, unit!.Value);
        if (calendar is not null && WeeksNeeded(calendar, target) > MaxYears * 52)
        {
            return new Failure(SlaErrors.AmountUnreachable, "target.amount");
        }
        return new SlaPreviewInput(calendar, start!.Value, target, pauses);
    }

    // At least how many weeks the calendar needs to count the target (holidays only add to it).
    internal static double WeeksNeeded(BusinessCalendar calendar, SlaTarget target) => target.Unit switch
    {
        SlaUnit.BusinessHours => TimeSpan.FromHours(target.Amount) / calendar.WeeklyOpenTime,
        SlaUnit.BusinessDays or SlaUnit.EndOfBusinessDay => (double)target.Amount / calendar.BusinessDaysPerWeek,
        _ => 0,
    };

    /// <summary>A calendar as the preview and the stored calendars take it; its failures name fields under <paramref name="field"/>.</summary>
    internal static BusinessCalendar? ParseCalendar(SlaPreviewCalendar body, List<Failure> errors, string field = "calendar")
    {
        var before = errors.Count;
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(body.TimeZone ?? "", out var found) && found.HasIanaId ? found : null;
        if (zone is null)
        {
            errors.Add(new Failure(SlaErrors.TimeZoneInvalid, $"{field}.timeZone"));
        }
        var ranges = new List<OpeningRange>();
        if (body.Hours is not { Count: > 0 })
        {
            errors.Add(new Failure(SlaErrors.HoursRequired, $"{field}.hours"));
        }
        foreach (var (hours, i) in (body.Hours ?? []).Select((h, i) => (h, i)))
        {
            var range = ParseRange(hours);
            if (range is null)
            {
                errors.Add(new Failure(SlaErrors.HoursInvalid, $"{field}.hours[{i}]"));
            }
            else if (ranges.Any(range.Overlaps))
            {
                errors.Add(new Failure(SlaErrors.HoursOverlap, $"{field}.hours[{i}]"));
            }
            else
            {
                ranges.Add(range);
            }
        }
        var holidays = new List<DateOnly>();
        foreach (var (text, i) in (body.Holidays ?? []).Select((h, i) => (h, i)))
        {
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                holidays.Add(date);
            }
            else
            {
                errors.Add(new Failure(SlaErrors.DateInvalid, $"{field}.holidays[{i}]"));
            }
        }
        return errors.Count == before ? new BusinessCalendar(zone!, ranges, holidays) : null;
    }

    // A weekday by its English name, "HH:mm" times; the close may be "24:00" (or "00:00") for midnight ending the day.
    private static OpeningRange? ParseRange(SlaPreviewHours? hours)
    {
        var day = Named<DayOfWeek>(hours?.Day);
        var open = ParseTime(hours?.Open);
        var close = hours?.Close == "24:00" ? TimeOnly.MinValue : ParseTime(hours?.Close);
        var range = day is null || open is null || close is null ? null : new OpeningRange(day.Value, open.Value, close.Value);
        return range is { IsWellFormed: true } ? range : null;
    }

    private static TimeOnly? ParseTime(string? text) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : null;

    // An enum value by its name, ignoring case: "Monday", "businessDays".
    internal static T? Named<T>(string? text)
        where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => string.Equals(v.ToString(), text, StringComparison.OrdinalIgnoreCase)).Cast<T?>().FirstOrDefault();

    private static DateTimeOffset? ParseInstant(string? text, string field, List<Failure> errors)
    {
        if (DateTimeOffset.TryParseExact(text, InstantFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) &&
            instant >= EarliestInstant && instant < LatestInstant)
        {
            return instant.ToUniversalTime();
        }
        errors.Add(new Failure(SlaErrors.InstantInvalid, field));
        return null;
    }
}
