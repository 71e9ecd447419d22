using System.Text.Json;
using Layan.Features.Realtime;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Tickets.Sla;

/// <summary>The payload of <c>ticket.sla</c>: a warning or a breach of one target.</summary>
internal sealed record SlaNoticeEvent(Guid TicketId, long Number, string Target, int Cycle, string Notice, DateTimeOffset Due);

/// <summary>
/// TKT-6, CARE-11: keeps a ticket's target clocks. Every change runs in the caller's unit of work;
/// the due instants are stored on the clock rows, and each running clock has one warning and one
/// breach timer in the due-work queue (re-armed when the due moves, cancelled when it is met,
/// paused or stopped), so notices come within seconds of the due rather than on a coarse poll.
/// </summary>
internal sealed class SlaEngine(LayanDbContext db, DueWorkScheduler timers, EventLog events, TimeProvider clock)
{
    public const string WarningKind = "sla.warning";
    public const string BreachKind = "sla.breach";

    /// <summary>A new ticket: its first-response, restore and resolve clocks start at its creation.</summary>
    public async Task StartAsync(Ticket ticket, CancellationToken cancellationToken)
    {
        var policy = await PolicyOfAsync(ticket, cancellationToken);
        if (policy is null)
        {
            return;
        }
        foreach (var target in new[] { SlaTargets.FirstResponse, SlaTargets.Restore, SlaTargets.Resolve })
        {
            await StartClockAsync(ticket, policy.Value, target, 1, ticket.CreatedAt, cancellationToken);
        }
    }

    /// <summary>A public answer by staff: first response and the next response running are met.</summary>
    public Task RespondedAsync(Ticket ticket, CancellationToken cancellationToken) =>
        MeetAsync(ticket, [SlaTargets.FirstResponse, SlaTargets.NextResponse], cancellationToken);

    /// <summary>The customer wrote (not an automatic reply): a next-response clock starts unless one runs or the first response is still owed.</summary>
    public async Task CustomerWroteAsync(Ticket ticket, CancellationToken cancellationToken)
    {
        var clocks = await ClocksAsync(ticket.Id, cancellationToken);
        if (clocks.Any(c => c.Running && c.Target is SlaTargets.FirstResponse or SlaTargets.NextResponse) || TicketStatus.IsDone(ticket.Status))
        {
            return;
        }
        if (await PolicyOfAsync(ticket, cancellationToken) is { } policy)
        {
            var cycle = clocks.Where(c => c.Target == SlaTargets.NextResponse).Select(c => c.Cycle).DefaultIfEmpty(0).Max() + 1;
            await StartClockAsync(ticket, policy, SlaTargets.NextResponse, cycle, clock.GetUtcNow(), cancellationToken);
        }
    }

    /// <summary>
    /// The status moved from <paramref name="before"/>: pending the customer holds the policy's paused
    /// targets (and leaving it resumes them); proposed resolution meets restore; resolved or closed
    /// meets restore and resolve and stops the rest; a reopen starts a new resolve cycle.
    /// </summary>
    public async Task StatusChangedAsync(Ticket ticket, string before, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var policy = await PolicyOfAsync(ticket, cancellationToken);
        var clocks = await ClocksAsync(ticket.Id, cancellationToken);
        if (ticket.Status == TicketStatus.PendingCustomer && before != TicketStatus.PendingCustomer && policy is { } holding)
        {
            foreach (var held in clocks.Where(c => c.Running && c.PausedSince is null && holding.Policy.Pauses(c.Target)))
            {
                held.PausedSince = now;
                await RearmAsync(ticket, held, holding, cancellationToken);
            }
        }
        if (before == TicketStatus.PendingCustomer && ticket.Status != TicketStatus.PendingCustomer)
        {
            foreach (var held in clocks.Where(c => c.PausedSince is not null))
            {
                held.Pauses = JsonSerializer.Serialize(held.PauseList().Append(new Pause(held.PausedSince!.Value, now)), JsonSerializerOptions.Web);
                held.PausedSince = null;
                if (policy is { } resuming)
                {
                    await RearmAsync(ticket, held, resuming, cancellationToken);
                }
            }
        }
        if (ticket.Status is TicketStatus.ProposedResolution or TicketStatus.Resolved or TicketStatus.Closed)
        {
            await MeetAsync(ticket, ticket.Status == TicketStatus.ProposedResolution ? [SlaTargets.Restore] : [SlaTargets.Restore, SlaTargets.Resolve], cancellationToken);
        }
        if (TicketStatus.IsDone(ticket.Status))
        {
            foreach (var left in clocks.Where(c => c.Running))
            {
                await StopAsync(left, cancellationToken);
            }
        }
        if (TicketStatus.IsDone(before) && !TicketStatus.IsDone(ticket.Status) && policy is { } reopened)
        {
            var cycle = clocks.Where(c => c.Target == SlaTargets.Resolve).Select(c => c.Cycle).DefaultIfEmpty(0).Max() + 1;
            await StartClockAsync(ticket, reopened, SlaTargets.Resolve, cycle, now, cancellationToken);
        }
    }

    /// <summary>Severity, priority or policy changed, or the policy or its calendar was edited: every running clock is counted again from its start.</summary>
    public async Task RetargetAsync(Ticket ticket, CancellationToken cancellationToken)
    {
        var policy = await PolicyOfAsync(ticket, cancellationToken);
        var clocks = await ClocksAsync(ticket.Id, cancellationToken);
        foreach (var running in clocks.Where(c => c.Running))
        {
            if (policy is { } p && p.Policy.TargetList().FirstOrDefault(t => t.Applies(running.Target, ticket.Severity, ticket.Priority)) is not null)
            {
                await RearmAsync(ticket, running, p, cancellationToken);
            }
            else
            {
                await StopAsync(running, cancellationToken);
            }
        }
        if (policy is null || TicketStatus.IsDone(ticket.Status))
        {
            return;
        }
        // A target that applies now and has never run for this ticket runs from its creation.
        foreach (var target in new[] { SlaTargets.FirstResponse, SlaTargets.Restore, SlaTargets.Resolve }.Where(t => clocks.All(c => c.Target != t)))
        {
            await StartClockAsync(ticket, policy.Value, target, 1, ticket.CreatedAt, cancellationToken);
        }
    }

    /// <summary>A warning or breach timer fired: recorded once, only if the clock is still running and due.</summary>
    public async Task NoticeAsync(Guid clockId, string kind, CancellationToken cancellationToken)
    {
        var row = await db.Set<TicketSlaClock>().SingleOrDefaultAsync(c => c.Id == clockId, cancellationToken);
        var now = clock.GetUtcNow();
        if (row is not { Running: true, PausedSince: null, DueAt: { } due })
        {
            return;
        }
        var ticket = await db.Set<Ticket>().SingleAsync(t => t.Id == row.TicketId, cancellationToken);
        var breach = kind == BreachKind;
        if (breach ? row.BreachedAt is not null || due > now : row.WarnedAt is not null || row.BreachedAt is not null)
        {
            return;
        }
        if (breach)
        {
            row.BreachedAt = now;
        }
        else
        {
            row.WarnedAt = now;
        }
        db.Add(new TicketEvent
        {
            TicketId = ticket.Id,
            At = now,
            Kind = breach ? TicketEventKinds.SlaBreached : TicketEventKinds.SlaWarning,
            Data = JsonSerializer.Serialize(new { target = row.Target, cycle = row.Cycle, due }, JsonSerializerOptions.Web),
        });
        await events.AppendAsync("ticket.sla", new SlaNoticeEvent(ticket.Id, ticket.Number, row.Target, row.Cycle, breach ? "breach" : "warning", due), cancellationToken);
    }

    private async Task MeetAsync(Ticket ticket, string[] targets, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var met in (await ClocksAsync(ticket.Id, cancellationToken)).Where(c => c.Running && targets.Contains(c.Target)))
        {
            met.MetAt = now;
            met.DueAt = null;
            await CancelTimersAsync(met, cancellationToken);
        }
    }

    private async Task StopAsync(TicketSlaClock row, CancellationToken cancellationToken)
    {
        row.Stopped = true;
        row.DueAt = null;
        await CancelTimersAsync(row, cancellationToken);
    }

    private async Task StartClockAsync(Ticket ticket, (SlaPolicy Policy, BusinessCalendar? Calendar) policy, string target, int cycle, DateTimeOffset start, CancellationToken cancellationToken)
    {
        if (policy.Policy.TargetList().FirstOrDefault(t => t.Applies(target, ticket.Severity, ticket.Priority)) is null)
        {
            return;
        }
        var row = new TicketSlaClock { TicketId = ticket.Id, Target = target, Cycle = cycle, StartedAt = start };
        db.Add(row);
        await RearmAsync(ticket, row, policy, cancellationToken);
    }

    // Counts the due again from the start with the closed pauses, and moves the timers to it.
    private async Task RearmAsync(Ticket ticket, TicketSlaClock row, (SlaPolicy Policy, BusinessCalendar? Calendar) policy, CancellationToken cancellationToken)
    {
        var line = policy.Policy.TargetList().FirstOrDefault(t => t.Applies(row.Target, ticket.Severity, ticket.Priority));
        if (line is null || row.PausedSince is not null)
        {
            row.DueAt = null;
            await CancelTimersAsync(row, cancellationToken);
            return;
        }
        var due = SlaClock.Due(policy.Calendar, row.StartedAt, line.ToTarget(), row.PauseList());
        row.DueAt = due;
        var payload = new ClockRef(row.Id);
        if (row.BreachedAt is null)
        {
            await timers.ScheduleAsync(BreachKind, payload, due, TimerKey(row, BreachKind), cancellationToken);
        }
        if (policy.Policy.WarnMinutes > 0 && row.WarnedAt is null && row.BreachedAt is null)
        {
            await timers.ScheduleAsync(WarningKind, payload, due - TimeSpan.FromMinutes(policy.Policy.WarnMinutes), TimerKey(row, WarningKind), cancellationToken);
        }
        else
        {
            await timers.CancelAsync(TimerKey(row, WarningKind), cancellationToken);
        }
    }

    private async Task CancelTimersAsync(TicketSlaClock row, CancellationToken cancellationToken)
    {
        await timers.CancelAsync(TimerKey(row, BreachKind), cancellationToken);
        await timers.CancelAsync(TimerKey(row, WarningKind), cancellationToken);
    }

    private static string TimerKey(TicketSlaClock row, string kind) => $"{kind}:{row.Id:N}";

    private async Task<List<TicketSlaClock>> ClocksAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        var stored = await db.Set<TicketSlaClock>().Where(c => c.TicketId == ticketId).ToListAsync(cancellationToken);
        // Clocks added in this unit of work and not yet saved count too.
        var added = db.ChangeTracker.Entries<TicketSlaClock>().Where(e => e.State == EntityState.Added && e.Entity.TicketId == ticketId).Select(e => e.Entity);
        return [.. stored.Union(added)];
    }

    private async Task<(SlaPolicy Policy, BusinessCalendar? Calendar)?> PolicyOfAsync(Ticket ticket, CancellationToken cancellationToken)
    {
        if (ticket.PolicyId is not { } policyId || await db.Set<SlaPolicy>().SingleOrDefaultAsync(p => p.Id == policyId, cancellationToken) is not { } policy)
        {
            return null;
        }
        var calendar = policy.CalendarId is { } calendarId
            ? (await db.Set<SlaCalendar>().SingleAsync(c => c.Id == calendarId, cancellationToken)).ToCalendar()
            : null;
        return (policy, calendar);
    }
}

internal sealed record ClockRef(Guid ClockId);

/// <summary>Runs the warning and breach timers of <see cref="SlaEngine"/>.</summary>
internal sealed class SlaNoticeHandler(SlaEngine engine, string kind) : IWorkHandler<DueWork>
{
    public string Kind => kind;

    public Task HandleAsync(DueWork item, CancellationToken cancellationToken) =>
        engine.NoticeAsync(JsonSerializer.Deserialize<ClockRef>(item.Payload, JsonSerializerOptions.Web)!.ClockId, kind, cancellationToken);
}
