using System.Text.Json;
using Layan.Features.Inbox;
using Layan.Features.Realtime;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Web;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Tickets.Sla;

/// <summary>The payload of <c>ticket.sla</c>: a warning or a breach of one target.</summary>
internal sealed record SlaNoticeEvent(Guid TicketId, long Number, string Target, int Cycle, string Notice, DateTimeOffset Due);

/// <summary>
/// TKT-6, CARE-11: keeps a ticket's target clocks. Every change runs in the caller's unit of work;
/// the due instants (and the warnings' instants) are stored on the clock rows, and the due-work
/// queue holds a timer for every second of a workspace in which some clock falls due or warns,
/// due at the earliest of them (<see cref="SlaSecond"/>). The timer finds its clocks through their
/// own indexes, notices those due, and arms itself for the next one of its second, so notices come
/// at the due rather than on a coarse poll. A met, paused or stopped clock has no due, and its
/// second's timer finds nothing for it; a recount rewrites the clock rows and only as many timers
/// as there are distinct seconds.
/// </summary>
internal sealed partial class SlaEngine(
    LayanDbContext db, DueWorkScheduler timers, EventLog events, TenantContext tenant, Mailer mailer, IStringLocalizer<TicketsResource> strings,
    IOptions<PublicUrlOptions> publicUrl, TimeProvider clock, ILogger<SlaEngine> logger)
{
    public const string WarningKind = "sla.warning";
    public const string BreachKind = "sla.breach";

    /// <summary>
    /// Clocks noticed per run of a second's timer (one transaction, a savepoint each); more, and it
    /// runs again at once. Under PostgreSQL's 64 subtransactions a transaction keeps in memory.
    /// </summary>
    public const int NoticesPerRun = 50;

    /// <summary>The key of the timer of <paramref name="second"/> (Unix seconds) for <paramref name="kind"/>, inside the workspace.</summary>
    public static string SecondKey(string kind, long second) => $"{kind}:{second}";

    /// <summary>
    /// A calendar or a policy changed: every running clock of the open tickets under these policies
    /// is counted again from its start, in batches read and written set-based
    /// (<see cref="RecountStore"/>), so a million tickets do not make a million round trips or a
    /// million tracked entities. Timers move with their dues, and a warning
    /// switched on or brought earlier gets or moves its timer. Clocks whose target no longer applies
    /// stop; when the policy's lines changed (<paramref name="linesChanged"/>; a calendar edit
    /// changes none), targets that apply now and never ran start through the per-ticket path.
    /// Returns how many clocks were counted. Runs in the caller's transaction.
    /// </summary>
    public async Task<int> RecountAsync(IReadOnlyList<Guid> policyIds, bool linesChanged, CancellationToken cancellationToken)
    {
        var workspace = (tenant.WorkspaceId ?? throw new InvalidOperationException("Recount inside a workspace.")).ToString("N");
        var counted = 0;
        await using var store = RecountStore.For(db, workspace, clock.GetUtcNow().UtcDateTime);
        foreach (var policyId in policyIds)
        {
            // Tracked when the caller edited them: the new hours and lines count.
            var policy = await db.Set<SlaPolicy>().SingleAsync(p => p.Id == policyId, cancellationToken);
            var calendar = policy.CalendarId is { } calendarId ? (await db.Set<SlaCalendar>().SingleAsync(c => c.Id == calendarId, cancellationToken)).ToCalendar() : null;
            // Departments with a calendar of their own count their tickets on it (tracked rows carry an edit in progress).
            var byDepartment = (await (from d in db.Set<DepartmentCalendar>() join c in db.Set<SlaCalendar>() on d.CalendarId equals c.Id select new { d.DepartmentId, Calendar = c })
                .ToListAsync(cancellationToken)).ToDictionary(d => d.DepartmentId, d => d.Calendar.ToCalendar());
            var lines = policy.TargetList();
            var targets = lines.Distinct().ToDictionary(l => l, l => l.ToTarget());
            while (true)
            {
                var batch = await store.NextAsync(policyId, cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }
                // The arithmetic is pure (the calendar is immutable): counted on every core while the database waits.
                var dues = batch.AsParallel().AsOrdered().Select(row =>
                {
                    var line = lines.FirstOrDefault(l => l.Applies(row.Target, row.Severity, row.Priority));
                    if (line is null)
                    {
                        return (row.Id, Due: (DateTime?)null);
                    }
                    List<Pause> pauses = row.Pauses == "[]" ? [] : JsonSerializer.Deserialize<List<Pause>>(row.Pauses, JsonSerializerOptions.Web) ?? [];
                    var counted = row.DepartmentId is { } department && byDepartment.TryGetValue(department, out var own) ? own : calendar;
                    return (row.Id, Due: (DateTime?)SlaClock.Due(counted, Utc(row.StartedAt), targets[line], pauses).UtcDateTime);
                }).ToList();
                var lead = TimeSpan.FromMinutes(policy.WarnMinutes);
                var moved = batch.Zip(dues).Where(p => p.Second.Due is not null).Select(p => new CountedClock(
                    p.First.Id, p.Second.Due!.Value,
                    p.First.BreachedAt is null ? p.Second.Due : null,
                    policy.WarnMinutes > 0 && p.First.WarnedAt is null && p.First.BreachedAt is null ? p.Second.Due - lead : null)).ToList();
                var stopped = dues.Where(d => d.Due is null).Select(d => d.Id).ToList();
                await store.AddAsync(moved, cancellationToken);
                await StopManyAsync(stopped, cancellationToken);
                counted += batch.Count;
            }
            await store.FlushAsync(cancellationToken);
            if (linesChanged)
            {
                await StartNewTargetsAsync(policy, lines, cancellationToken);
            }
        }
        return counted;
    }

    private async Task StopManyAsync(List<Guid> stopped, CancellationToken cancellationToken)
    {
        if (stopped.Count == 0)
        {
            return;
        }
        await db.Set<TicketSlaClock>().Where(c => stopped.Contains(c.Id)).ExecuteUpdateAsync(
            s => s.SetProperty(c => c.Stopped, true).SetProperty(c => c.DueAt, (DateTimeOffset?)null).SetProperty(c => c.WarnAt, (DateTimeOffset?)null), cancellationToken);
    }

    // A target the edited policy now has for some severity and priority, on open tickets that never ran it: started per ticket (rare).
    private async Task StartNewTargetsAsync(SlaPolicy policy, IReadOnlyList<PolicyTarget> lines, CancellationToken cancellationToken)
    {
        var clocks = db.Set<TicketSlaClock>();
        foreach (var target in new[] { SlaTargets.FirstResponse, SlaTargets.Restore, SlaTargets.Resolve })
        {
            foreach (var severity in Enumerable.Range(1, 4))
            {
                foreach (var priority in TicketPriority.All.Where(p => lines.Any(l => l.Applies(target, severity, p))))
                {
                    var missing = await db.Set<Ticket>()
                        .Where(t => t.PolicyId == policy.Id && t.Severity == severity && t.Priority == priority && t.Status != TicketStatus.Resolved && t.Status != TicketStatus.Closed)
                        .Where(t => !clocks.Any(c => c.TicketId == t.Id && c.Target == target))
                        .ToListAsync(cancellationToken);
                    foreach (var ticket in missing)
                    {
                        await RetargetAsync(ticket, cancellationToken);
                    }
                }
            }
        }
    }

    // A string in the reader's language (the email's own text is localized by the mailer).
    private static string InLanguage(string language, Func<string> read)
    {
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(language);
        try
        {
            return read();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }

    private static DateTimeOffset Utc(DateTime stored) => new(DateTime.SpecifyKind(stored, DateTimeKind.Utc));

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
                held.AddPause(new Pause(held.PausedSince!.Value, now));
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
                Stop(left);
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
                Stop(running);
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

    /// <summary>
    /// A warning or breach timer fired: recorded once, only if the clock is still running and due.
    /// Runs in a transaction of its own that the due-work runner commits with the timer's
    /// completion; the notice is claimed by a conditional update, so of two runs that both read the
    /// clock unnoticed (a lease that ran out on a slow node) only one records it, emails and tells.
    /// </summary>
    public Task NoticeAsync(Guid clockId, string kind, CancellationToken cancellationToken) => NoticeAsync(clockId, kind, null, cancellationToken);

    // With a second's run, the notice's event joins the run's (appended together after its clocks); else it is appended at once.
    private async Task NoticeAsync(Guid clockId, string kind, List<(string Type, object Data)>? run, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            await db.Database.BeginTransactionAsync(cancellationToken);
        }
        var row = await db.Set<TicketSlaClock>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == clockId, cancellationToken);
        var now = clock.GetUtcNow();
        if (row is not { Running: true, PausedSince: null, DueAt: { } due })
        {
            return;
        }
        var ticket = await db.Set<Ticket>().AsNoTracking().SingleAsync(t => t.Id == row.TicketId, cancellationToken);
        var breach = kind == BreachKind;
        // A warning whose due has passed (a recount moved the due back, or the runner lagged) is not
        // sent: the breach speaks for itself.
        if (breach ? row.BreachedAt is not null || due > now : row.WarnedAt is not null || row.BreachedAt is not null || due <= now)
        {
            return;
        }
        if (!breach)
        {
            // The lead is read now: a policy whose warning was switched off, or moved closer to the
            // due after this timer was set, warns then (or not at all), not at the old time.
            var warn = ticket.PolicyId is { } policyId
                ? await db.Set<SlaPolicy>().Where(p => p.Id == policyId).Select(p => p.WarnMinutes).SingleOrDefaultAsync(cancellationToken)
                : 0;
            if (warn <= 0)
            {
                // Switched off: this clock no longer warns (and leaves its second's timer alone).
                await db.Set<TicketSlaClock>().Where(c => c.Id == row.Id).ExecuteUpdateAsync(u => u.SetProperty(c => c.WarnAt, (DateTimeOffset?)null), cancellationToken);
                return;
            }
            if (now < due - TimeSpan.FromMinutes(warn))
            {
                var at = due - TimeSpan.FromMinutes(warn);
                await db.Set<TicketSlaClock>().Where(c => c.Id == row.Id).ExecuteUpdateAsync(u => u.SetProperty(c => c.WarnAt, at), cancellationToken);
                await ArmAsync(WarningKind, at, cancellationToken);
                return;
            }
        }
        var unnoticed = db.Set<TicketSlaClock>().Where(c => c.Id == row.Id && c.BreachedAt == null);
        var claimed = breach
            ? await unnoticed.ExecuteUpdateAsync(u => u.SetProperty(c => c.BreachedAt, now).SetProperty(c => c.WarnAt, (DateTimeOffset?)null), cancellationToken)
            : await unnoticed.Where(c => c.WarnedAt == null).ExecuteUpdateAsync(u => u.SetProperty(c => c.WarnedAt, now).SetProperty(c => c.WarnAt, (DateTimeOffset?)null), cancellationToken);
        if (claimed == 0)
        {
            return;
        }
        db.Add(new TicketEvent
        {
            TicketId = ticket.Id,
            At = now,
            Kind = breach ? TicketEventKinds.SlaBreached : TicketEventKinds.SlaWarning,
            Data = JsonSerializer.Serialize(new { target = row.Target, cycle = row.Cycle, due }, JsonSerializerOptions.Web),
        });
        var notice = new SlaNoticeEvent(ticket.Id, ticket.Number, row.Target, row.Cycle, breach ? "breach" : "warning", due);
        if (run is not null)
        {
            run.Add(("ticket.sla", notice));
        }
        else
        {
            await events.AppendAsync("ticket.sla", notice, cancellationToken);
        }
        await MailNoticeAsync(ticket, row.Target, breach, due - now, cancellationToken);
    }

    /// <summary>
    /// The timer of one second fired: every clock of the workspace due (or warning) in that second
    /// and not noticed yet is noticed (<see cref="NoticeAsync(Guid, string, CancellationToken)"/>, each claimed on its own row), and
    /// the timer is armed again for the next one of its second, if any. Runs in one transaction the
    /// due-work runner commits with the timer.
    /// </summary>
    public async Task NoticeSecondAsync(string kind, SlaSecond run, CancellationToken cancellationToken)
    {
        var second = run.Second;
        if (db.Database.CurrentTransaction is null)
        {
            await db.Database.BeginTransactionAsync(cancellationToken);
        }
        var from = DateTimeOffset.FromUnixTimeSeconds(second);
        var to = from.AddSeconds(1);
        var now = clock.GetUtcNow();
        // Only clocks NoticeAsync would notice: one it would skip must not hold a place in the run.
        // A warning is cleared when it is sent or switched off, and a breach clears it too.
        var clocks = db.Set<TicketSlaClock>().AsNoTracking().Where(c => c.MetAt == null && !c.Stopped && c.PausedSince == null && c.BreachedAt == null);
        var inSecond = kind == BreachKind
            ? clocks.Where(c => c.DueAt >= from && c.DueAt < to).Select(c => new { c.Id, At = c.DueAt!.Value })
            : clocks.Where(c => c.WarnedAt == null && c.WarnAt >= from && c.WarnAt < to && c.DueAt > now).Select(c => new { c.Id, At = c.WarnAt!.Value });
        // Clocks that failed in an earlier run of this second are tried by timers of their own, not again here.
        var failed = run.Failed ?? [];
        var due = await inSecond.Where(c => c.At <= now && !failed.Contains(c.Id)).OrderBy(c => c.At).Take(NoticesPerRun).Select(c => c.Id).ToListAsync(cancellationToken);
        // The notices' events are appended together after the clocks: the workspace's event counter
        // is then taken once, last, and not held while the clocks are claimed one by one (an agent's
        // reply that meets one of them holds its row and then waits for the counter).
        List<(string Type, object Data)> noticed = [];
        foreach (var clockId in due)
        {
            var before = noticed.Count;
            if (!await NoticeAloneAsync(clockId, kind, noticed, cancellationToken))
            {
                failed = [.. failed, clockId];
                noticed.RemoveRange(before, noticed.Count - before);
            }
        }
        if (noticed.Count > 0)
        {
            await events.AppendManyAsync(noticed, cancellationToken);
        }
        var next = due.Count == NoticesPerRun
            ? now
            : await inSecond.Where(c => c.At > now).OrderBy(c => c.At).Select(c => (DateTimeOffset?)c.At).FirstOrDefaultAsync(cancellationToken);
        if (next is { } at)
        {
            await timers.ScheduleAsync(kind, new SlaSecond(second, failed.Length > 0 ? failed : null), at, SecondKey(kind, second), cancellationToken);
        }
    }

    /// <summary>
    /// One clock of a second's run, under a savepoint: if its notice fails, only it is undone (its
    /// claim, event, timeline entry and emails) and it gets a timer of its own that tries it again
    /// with the runner's back-off (and goes Dead alone), while the rest of its second is noticed.
    /// False when it failed.
    /// </summary>
    private async Task<bool> NoticeAloneAsync(Guid clockId, string kind, List<(string Type, object Data)> run, CancellationToken cancellationToken)
    {
        const string Savepoint = "sla_notice";
        var transaction = db.Database.CurrentTransaction!;
        // What the run holds before this clock (its own timer; everything else is saved): the rest is the notice's.
        var held = db.ChangeTracker.Entries().Select(e => e.Entity).ToHashSet(ReferenceEqualityComparer.Instance);
        await transaction.CreateSavepointAsync(Savepoint, cancellationToken);
        // This savepoint is the only one needed (each costs PostgreSQL a subtransaction).
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await NoticeAsync(clockId, kind, run, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.ReleaseSavepointAsync(Savepoint, cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await transaction.RollbackToSavepointAsync(Savepoint, cancellationToken);
            await transaction.ReleaseSavepointAsync(Savepoint, cancellationToken);
            // Rows the notice saved before it failed are gone with the savepoint: nothing of it stays tracked either.
            foreach (var entry in db.ChangeTracker.Entries().Where(e => !held.Contains(e.Entity)).ToList())
            {
                entry.State = EntityState.Detached;
            }
            db.SharedTimers.Clear();
            LogNoticeFailed(logger, ex, kind, clockId);
            // Saved at once, outside any later clock's savepoint; a timer of its own already pending keeps its back-off.
            await timers.ScheduleUnlessPendingAsync(kind, new ClockRef(clockId), clock.GetUtcNow(), ClockKey(kind, clockId), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return false;
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
    }

    /// <summary>The key of the timer of its own a clock gets when its notice failed in its second's run.</summary>
    public static string ClockKey(string kind, Guid clockId) => $"{kind}.clock:{clockId:N}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "SLA {Kind} of clock {ClockId} failed in its second's run; it is tried again on a timer of its own")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception, string kind, Guid clockId);

    /// <summary>
    /// NOT-1's SLA emails, in the same transaction as the notice (so once): to the ticket's assignee,
    /// or, while nobody has it, to the workspace's Administrators and Supervisors; each reader may
    /// switch warnings and breaches off in their notification preferences.
    /// </summary>
    private async Task MailNoticeAsync(Ticket ticket, string target, bool breach, TimeSpan left, CancellationToken cancellationToken)
    {
        var members = db.Set<WorkspaceMember>().Where(m => m.WorkspaceId == ticket.WorkspaceId && m.Active);
        members = ticket.AssigneeId is { } assignee
            ? members.Where(m => m.UserId == assignee)
            : members.Where(m => m.Role == WorkspaceRoles.Administrator || m.Role == WorkspaceRoles.Supervisor);
        var states = db.Set<AgentState>().Where(a => a.WorkspaceId == ticket.WorkspaceId);
        // No preferences saved yet: the defaults (both on).
        members = breach
            ? members.Where(m => !states.Any(a => a.UserId == m.UserId && !a.EmailOnSlaBreach))
            : members.Where(m => !states.Any(a => a.UserId == m.UserId && !a.EmailOnSlaWarning));
        var recipients = await (from m in members join u in db.Users on m.UserId equals u.Id select u).ToListAsync(cancellationToken);
        if (recipients.Count == 0)
        {
            return;
        }
        var workspace = await db.Set<Workspace>().Where(w => w.Id == ticket.WorkspaceId).Select(w => w.Name).SingleAsync(cancellationToken);
        var prefix = await db.Set<TicketSettings>().Where(s => s.WorkspaceId == ticket.WorkspaceId).Select(s => s.Prefix).SingleOrDefaultAsync(cancellationToken) ?? "CS";
        foreach (var user in recipients.Where(u => u.Email is not null))
        {
            var targetName = InLanguage(user.Language, () => strings[$"Target.{target}"].Value);
            mailer.Queue(new EmailTemplate(strings, breach ? "Ticket.Breached" : "Ticket.Warned"), user.Email!, user.Language, new Dictionary<string, string>
            {
                ["name"] = user.FullName,
                ["workspace"] = workspace,
                ["ticket"] = Tickets.Key(prefix, ticket.Number),
                ["subject"] = ticket.Subject,
                ["target"] = targetName,
                ["minutes"] = Math.Max(1, (int)Math.Ceiling(left.TotalMinutes)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                [Mailer.ActionUrl] = publicUrl.Value.Link($"/w/{ticket.WorkspaceId}/tickets/{ticket.Number}"),
            });
        }
    }

    private async Task MeetAsync(Ticket ticket, string[] targets, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var met in (await ClocksAsync(ticket.Id, cancellationToken)).Where(c => c.Running && targets.Contains(c.Target)))
        {
            met.MetAt = now;
            Disarm(met);
        }
    }

    private static void Stop(TicketSlaClock row)
    {
        row.Stopped = true;
        Disarm(row);
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
            Disarm(row);
            return;
        }
        var due = SlaClock.Due(policy.Calendar, row.StartedAt, line.ToTarget(), row.PauseList());
        row.DueAt = due;
        if (row.BreachedAt is null)
        {
            await ArmAsync(BreachKind, due, cancellationToken);
        }
        row.WarnAt = policy.Policy.WarnMinutes > 0 && row.WarnedAt is null && row.BreachedAt is null ? due - TimeSpan.FromMinutes(policy.Policy.WarnMinutes) : null;
        if (row.WarnAt is { } warnAt)
        {
            await ArmAsync(WarningKind, warnAt, cancellationToken);
        }
    }

    // No due, no warning: the timers of their seconds find nothing for this clock.
    private static void Disarm(TicketSlaClock row)
    {
        row.DueAt = null;
        row.WarnAt = null;
    }

    // The timer of the second holding the instant runs at it, unless something else of that second runs earlier.
    private async Task ArmAsync(string kind, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var second = at.ToUnixTimeSeconds();
        await timers.ScheduleEarliestAsync(kind, new SlaSecond(second), at, SecondKey(kind, second), cancellationToken);
    }

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
        // A department's own calendar counts for its tickets; otherwise the policy's (none: 24x7).
        var departmentCalendar = ticket.DepartmentId is { } department
            ? await db.Set<DepartmentCalendar>().Where(d => d.DepartmentId == department).Select(d => (Guid?)d.CalendarId).SingleOrDefaultAsync(cancellationToken)
            : null;
        var calendar = (departmentCalendar ?? policy.CalendarId) is { } calendarId
            ? (await db.Set<SlaCalendar>().SingleAsync(c => c.Id == calendarId, cancellationToken)).ToCalendar()
            : null;
        return (policy, calendar);
    }
}

/// <summary>The payload of a timer armed per clock (before the timers were per second): it notices that one clock.</summary>
internal sealed record ClockRef(Guid ClockId);

/// <summary>
/// The payload of a second's timer: Unix seconds, and the clocks whose notice failed in an earlier
/// run of it (each retried by a timer of its own); arming the timer again starts the list afresh.
/// </summary>
internal sealed record SlaSecond(long Second, Guid[]? Failed = null);

/// <summary>A running clock as <see cref="SlaEngine.RecountAsync"/> reads it.</summary>
internal sealed record ClockRow(Guid Id, string Target, DateTime StartedAt, string Pauses, DateTime? WarnedAt, DateTime? BreachedAt, int Severity, string Priority, Guid? DepartmentId);

/// <summary>Runs the warning and breach timers of <see cref="SlaEngine"/>.</summary>
internal sealed class SlaNoticeHandler(SlaEngine engine, string kind) : IWorkHandler<DueWork>
{
    public string Kind => kind;

    public Task HandleAsync(DueWork item, CancellationToken cancellationToken)
    {
        using var payload = JsonDocument.Parse(item.Payload);
        return payload.RootElement.TryGetProperty("clockId", out var clockId)
            ? engine.NoticeAsync(clockId.GetGuid(), kind, cancellationToken)
            : engine.NoticeSecondAsync(kind, payload.RootElement.Deserialize<SlaSecond>(JsonSerializerOptions.Web)!, cancellationToken);
    }
}
