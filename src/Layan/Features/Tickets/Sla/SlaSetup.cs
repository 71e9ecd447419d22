using System.Text.Json;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Tickets.Sla;

internal static class SlaSetupErrors
{
    public const string NameRequired = "sla_name_required";
    public const string NameTaken = "sla_name_taken";
    public const string CalendarUnknown = "calendar_unknown";
    public const string CalendarInUse = "calendar_in_use";
    public const string TargetInvalid = "target_invalid";
    public const string WarnInvalid = "warn_invalid";
    public const string TooLarge = "sla_too_large";

    public static IReadOnlyList<string> All { get; } = [NameRequired, NameTaken, CalendarUnknown, CalendarInUse, TargetInvalid, WarnInvalid, TooLarge];
}

internal sealed record CalendarItem(Guid Id, string Name, SlaPreviewCalendar Calendar);

internal sealed record DepartmentCalendarItem(Guid DepartmentId, Guid CalendarId);

internal sealed record PolicyInput(
    string? Name, Guid? CalendarId, IReadOnlyList<PolicyTargetInput?>? Targets, int? WarnMinutes, IReadOnlyList<string>? PausedWhilePending, bool? IsDefault);

internal sealed record PolicyTargetInput(string? Target, int? Severity, string? Priority, int? Amount, string? Unit);

internal sealed record PolicyItem(Guid Id, string Name, Guid? CalendarId, IReadOnlyList<PolicyTarget> Targets, int WarnMinutes, IReadOnlyList<string> PausedWhilePending, bool IsDefault);

/// <summary>
/// TKT-6: the workspace's business calendars and SLA policies. Editing a calendar or a policy
/// counts the running clocks of every ticket under it again, in the same transaction; the CARE
/// targets of PRODUCT.md come as a template.
/// </summary>
internal sealed class SlaSetup(LayanDbContext db, SlaEngine engine, Entitlements entitlements, AuditLog audit, TimeProvider clock)
{
    public const int MaxWarnMinutes = 7 * 24 * 60;

    // Bounds that keep a stored calendar or policy within its column on every database.
    public const int MaxRanges = 100;
    public const int MaxHolidays = 1000;
    public const int MaxLines = 100;

    /// <summary>CARE-4 and CARE-5 as a policy: first response Sev1 10 minutes, Sev2–4 2 hours; restore Sev1 4 hours, Sev2 2 business days, Sev3 5 business days.</summary>
    public static IReadOnlyList<PolicyTarget> CareTemplate { get; } =
    [
        new(SlaTargets.FirstResponse, 1, null, 10, "minutes"),
        new(SlaTargets.FirstResponse, null, null, 2, "hours"),
        new(SlaTargets.Restore, 1, null, 4, "hours"),
        new(SlaTargets.Restore, 2, null, 2, "businessDays"),
        new(SlaTargets.Restore, 3, null, 5, "businessDays"),
    ];

    public async Task<IReadOnlyList<CalendarItem>> CalendarsAsync(WorkspaceMembership access, CancellationToken cancellationToken) =>
        [.. (await db.Set<SlaCalendar>().Where(c => c.WorkspaceId == access.WorkspaceId).OrderBy(c => c.Name).ToListAsync(cancellationToken))
            .Select(c => new CalendarItem(c.Id, c.Name, c.Parsed()))];

    public async Task<IReadOnlyList<PolicyItem>> PoliciesAsync(WorkspaceMembership access, CancellationToken cancellationToken) =>
        [.. (await db.Set<SlaPolicy>().Where(p => p.WorkspaceId == access.WorkspaceId).OrderBy(p => p.Name).ToListAsync(cancellationToken)).Select(Item)];

    /// <summary>Creates a calendar, or (with <paramref name="id"/>) changes one and counts its tickets' clocks again; null when there is no such calendar.</summary>
    public async Task<Result<CalendarItem>?> SaveCalendarAsync(WorkspaceMembership access, Guid? id, string? name, SlaPreviewCalendar? calendar, CancellationToken cancellationToken)
    {
        var row = id is { } existing ? await db.Set<SlaCalendar>().SingleOrDefaultAsync(c => c.WorkspaceId == access.WorkspaceId && c.Id == existing, cancellationToken) : null;
        if (id is not null && row is null)
        {
            return null;
        }
        if (!await entitlements.SubscribedAsync(access.WorkspaceId, PlanFeatures.Ticket, cancellationToken))
        {
            return new Failure(TicketErrors.FeatureRequired);
        }
        var errors = new List<Failure>();
        var trimmed = await NameAsync<SlaCalendar>(name, id, c => c.Name, errors, cancellationToken);
        if (calendar is null)
        {
            errors.Add(new Failure(SlaErrors.HoursRequired, "calendar.hours"));
        }
        else if (calendar.Hours?.Count > MaxRanges || calendar.Holidays?.Count > MaxHolidays)
        {
            errors.Add(new Failure(SlaSetupErrors.TooLarge, "calendar"));
        }
        else
        {
            SlaPreview.ParseCalendar(calendar, errors);
        }
        if (errors.Count > 0)
        {
            return Result<CalendarItem>.Failed(errors);
        }
        var definition = JsonSerializer.Serialize(calendar, JsonSerializerOptions.Web);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (row is null)
        {
            row = new SlaCalendar { Name = trimmed!, Definition = definition, UpdatedAt = clock.GetUtcNow() };
            db.Add(row);
        }
        else
        {
            audit.Record("sla.calendar.changed", $"sla/calendars/{row.Id}", new { row.Name, row.Definition }, new { name = trimmed, definition }, actorId: access.Member.UserId.ToString());
            row.Name = trimmed!;
            row.Definition = definition;
            row.UpdatedAt = clock.GetUtcNow();
            // Tickets count on it through their policy or, whatever their policy, their department.
            var viaDepartment = await db.Set<DepartmentCalendar>().AnyAsync(d => d.CalendarId == row.Id, cancellationToken);
            var policies = await db.Set<SlaPolicy>().Where(p => viaDepartment || p.CalendarId == row.Id).Select(p => p.Id).ToListAsync(cancellationToken);
            await engine.RecountAsync(policies, linesChanged: false, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CalendarItem(row.Id, row.Name, calendar!);
    }

    /// <summary>Deletes a calendar no policy uses; null when there is none.</summary>
    public async Task<Result<bool>?> DeleteCalendarAsync(WorkspaceMembership access, Guid id, CancellationToken cancellationToken)
    {
        var row = await db.Set<SlaCalendar>().SingleOrDefaultAsync(c => c.WorkspaceId == access.WorkspaceId && c.Id == id, cancellationToken);
        if (row is null)
        {
            return null;
        }
        if (await db.Set<SlaPolicy>().AnyAsync(p => p.CalendarId == id, cancellationToken) || await db.Set<DepartmentCalendar>().AnyAsync(d => d.CalendarId == id, cancellationToken))
        {
            return new Failure(SlaSetupErrors.CalendarInUse);
        }
        db.Remove(row);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<DepartmentCalendarItem>> DepartmentCalendarsAsync(WorkspaceMembership access, CancellationToken cancellationToken) =>
        await db.Set<DepartmentCalendar>().Where(d => d.WorkspaceId == access.WorkspaceId)
            .Select(d => new DepartmentCalendarItem(d.DepartmentId, d.CalendarId)).ToListAsync(cancellationToken);

    /// <summary>
    /// Gives a department a calendar of its own (null: its tickets count on their policy's again) and
    /// counts the open tickets under every policy again; null when there is no such department.
    /// </summary>
    public async Task<Result<IReadOnlyList<DepartmentCalendarItem>>?> SetDepartmentCalendarAsync(WorkspaceMembership access, Guid departmentId, Guid? calendarId, CancellationToken cancellationToken)
    {
        if (!await db.Set<Department>().AnyAsync(d => d.WorkspaceId == access.WorkspaceId && d.Id == departmentId, cancellationToken))
        {
            return null;
        }
        if (!await entitlements.SubscribedAsync(access.WorkspaceId, PlanFeatures.Ticket, cancellationToken))
        {
            return new Failure(TicketErrors.FeatureRequired);
        }
        if (calendarId is { } wanted && !await db.Set<SlaCalendar>().AnyAsync(c => c.Id == wanted, cancellationToken))
        {
            return new Failure(SlaSetupErrors.CalendarUnknown, "calendarId");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await db.Set<DepartmentCalendar>().SingleOrDefaultAsync(d => d.DepartmentId == departmentId, cancellationToken);
        var before = row?.CalendarId;
        if (before == calendarId)
        {
            return Result<IReadOnlyList<DepartmentCalendarItem>>.From(await DepartmentCalendarsAsync(access, cancellationToken));
        }
        if (calendarId is null)
        {
            db.Remove(row!);
        }
        else if (row is null)
        {
            db.Add(new DepartmentCalendar { DepartmentId = departmentId, CalendarId = calendarId.Value });
        }
        else
        {
            row.CalendarId = calendarId.Value;
        }
        audit.Record("sla.department_calendar.changed", $"departments/{departmentId}", new { calendarId = before }, new { calendarId }, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        await engine.RecountAsync(await db.Set<SlaPolicy>().Select(p => p.Id).ToListAsync(cancellationToken), linesChanged: false, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result<IReadOnlyList<DepartmentCalendarItem>>.From(await DepartmentCalendarsAsync(access, cancellationToken));
    }

    /// <summary>Creates a policy, or (with <paramref name="id"/>) changes one and counts its tickets' clocks again; null when there is no such policy.</summary>
    public async Task<Result<PolicyItem>?> SavePolicyAsync(WorkspaceMembership access, Guid? id, PolicyInput input, CancellationToken cancellationToken)
    {
        var row = id is { } existing ? await db.Set<SlaPolicy>().SingleOrDefaultAsync(p => p.WorkspaceId == access.WorkspaceId && p.Id == existing, cancellationToken) : null;
        if (id is not null && row is null)
        {
            return null;
        }
        if (!await entitlements.SubscribedAsync(access.WorkspaceId, PlanFeatures.Ticket, cancellationToken))
        {
            return new Failure(TicketErrors.FeatureRequired);
        }
        var errors = new List<Failure>();
        var name = await NameAsync<SlaPolicy>(input.Name, id, p => p.Name, errors, cancellationToken);
        if (input.CalendarId is { } calendarId && !await db.Set<SlaCalendar>().AnyAsync(c => c.Id == calendarId, cancellationToken))
        {
            errors.Add(new Failure(SlaSetupErrors.CalendarUnknown, "calendarId"));
        }
        if (input.Targets?.Count > MaxLines)
        {
            errors.Add(new Failure(SlaSetupErrors.TooLarge, "targets"));
        }
        var targets = input.Targets?.Count > MaxLines ? [] : Targets(input.Targets, errors);
        if (input.WarnMinutes is not null and not (>= 0 and <= MaxWarnMinutes))
        {
            errors.Add(new Failure(SlaSetupErrors.WarnInvalid, "warnMinutes"));
        }
        if (input.PausedWhilePending?.Any(t => !SlaTargets.All.Contains(t)) ?? false)
        {
            errors.Add(new Failure(SlaSetupErrors.TargetInvalid, "pausedWhilePending"));
        }
        if (errors.Count > 0)
        {
            return Result<PolicyItem>.Failed(errors);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        if (row is null)
        {
            row = new SlaPolicy { Name = name! };
            db.Add(row);
        }
        var before = Item(row);
        row.Name = name!;
        row.CalendarId = input.CalendarId;
        row.Targets = JsonSerializer.Serialize(targets, JsonSerializerOptions.Web);
        row.WarnMinutes = input.WarnMinutes ?? 0;
        row.PausedWhilePending = input.PausedWhilePending is { } paused ? string.Join(',', paused.Distinct()) : row.PausedWhilePending;
        row.UpdatedAt = now;
        if (input.IsDefault is true && !row.IsDefault)
        {
            await db.Set<SlaPolicy>().Where(p => p.IsDefault && p.Id != row.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.IsDefault, false), cancellationToken);
        }
        row.IsDefault = input.IsDefault ?? row.IsDefault;
        audit.Record(id is null ? "sla.policy.created" : "sla.policy.changed", $"sla/policies/{row.Id}", id is null ? null : before, Item(row), actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        if (id is not null)
        {
            await engine.RecountAsync([row.Id], linesChanged: true, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return Item(row);
    }

    private static List<PolicyTarget> Targets(IReadOnlyList<PolicyTargetInput?>? lines, List<Failure> errors)
    {
        var targets = new List<PolicyTarget>();
        foreach (var (line, i) in (lines ?? []).Select((l, i) => (l, i)))
        {
            var field = $"targets[{i}]";
            var before = errors.Count;
            if (line is null || !SlaTargets.All.Contains(line.Target))
            {
                errors.Add(new Failure(SlaSetupErrors.TargetInvalid, $"{field}.target"));
                continue;
            }
            if (line.Severity is not null and not (>= 1 and <= 4))
            {
                errors.Add(new Failure(TicketErrors.SeverityInvalid, $"{field}.severity"));
            }
            if (line.Priority is not null && !TicketPriority.All.Contains(line.Priority))
            {
                errors.Add(new Failure(TicketErrors.PriorityInvalid, $"{field}.priority"));
            }
            if (line.Amount is not (>= 1 and <= SlaPreview.MaxAmount))
            {
                errors.Add(new Failure(SlaErrors.AmountInvalid, $"{field}.amount"));
            }
            var unit = SlaPreview.Named<SlaUnit>(line.Unit);
            if (unit is null)
            {
                errors.Add(new Failure(SlaErrors.UnitInvalid, $"{field}.unit"));
            }
            if (errors.Count == before)
            {
                var name = unit!.Value.ToString();
                targets.Add(new PolicyTarget(line.Target!, line.Severity, line.Priority, line.Amount!.Value, char.ToLowerInvariant(name[0]) + name[1..]));
            }
        }
        return targets;
    }

    private async Task<string?> NameAsync<T>(string? name, Guid? id, System.Linq.Expressions.Expression<Func<T, string>> nameOf, List<Failure> errors, CancellationToken cancellationToken)
        where T : class
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 100)
        {
            errors.Add(new Failure(SlaSetupErrors.NameRequired, "name"));
            return null;
        }
        var names = db.Set<T>().Where(e => EF.Property<Guid>(e, "Id") != (id ?? Guid.Empty)).Select(nameOf);
        if (await names.AnyAsync(n => n == trimmed, cancellationToken))
        {
            errors.Add(new Failure(SlaSetupErrors.NameTaken, "name"));
        }
        return trimmed;
    }

    private static PolicyItem Item(SlaPolicy p) =>
        new(p.Id, p.Name, p.CalendarId, p.TargetList(), p.WarnMinutes, p.PausedWhilePending.Split(',', StringSplitOptions.RemoveEmptyEntries), p.IsDefault);
}
