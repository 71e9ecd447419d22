using System.Collections.Concurrent;
using System.Text.Json;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Work;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Infrastructure;

// Covers the due-work runner every timer of the product uses (verification resends, SLA
// breaches, auto-close): a timer per due instant, keyed timers that move or cancel, and handler
// changes committed with the completion or not at all.
public sealed class DueWorkTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Handlers(IServiceCollection services, ConcurrentQueue<string> ran)
    {
        services.AddSingleton(ran);
        services.AddScoped<IWorkHandler<DueWork>, RecordingHandler>();
        services.AddScoped<IWorkHandler<DueWork>, FailingHandler>();
    }

    private static async Task<Guid> ScheduleAsync(LayanApp app, string kind, string note, DateTimeOffset dueAt, string? key = null)
    {
        await using var scope = app.Scope();
        var work = await scope.ServiceProvider.GetRequiredService<DueWorkScheduler>().ScheduleAsync(kind, new Note(note), dueAt, key, Ct);
        await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
        return work.Id;
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_timer_fires_at_its_due_instant_without_waiting_for_a_poll(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        var ran = new ConcurrentQueue<string>();
        await using var app = new LayanApp(database, new Dictionary<string, string?> { ["Work:DueWork:PollInterval"] = "01:00:00" }, s => Handlers(s, ran));
        var due = app.Clock.GetUtcNow() + TimeSpan.FromMinutes(10);

        var id = await ScheduleAsync(app, RecordingHandler.KindName, "breach", due);
        await Eventually.Until(() => app.Clock.HasTimerAt(due), armed => armed, "the runner to arm a timer for the due instant");
        app.Clock.Advance(TimeSpan.FromMinutes(10));

        await app.WaitForStateAsync<DueWork>(id, WorkState.Completed);
        ran.ShouldBe(["breach"]);
    }

    [Fact]
    public async Task A_keyed_timer_is_moved_not_duplicated_and_can_be_cancelled()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        var ran = new ConcurrentQueue<string>();
        await using var app = new LayanApp(database, LayanApp.ManualTimers, s => Handlers(s, ran));
        var runner = app.Runner<DueWork>();
        var now = app.Clock.GetUtcNow();

        var first = await ScheduleAsync(app, RecordingHandler.KindName, "resend 1", now.AddMinutes(5), key: "resend:user-1");
        var moved = await ScheduleAsync(app, RecordingHandler.KindName, "resend 2", now.AddMinutes(10), key: "resend:user-1");
        moved.ShouldBe(first);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        (await runner.RunOnceAsync(Ct)).ShouldBe(0);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        (await runner.RunOnceAsync(Ct)).ShouldBe(1);
        ran.ShouldBe(["resend 2"]);

        // Re-armed after it ran, then cancelled before it is due.
        await ScheduleAsync(app, RecordingHandler.KindName, "resend 3", now.AddMinutes(15), key: "resend:user-1");
        await using (var scope = app.Scope())
        {
            (await scope.ServiceProvider.GetRequiredService<DueWorkScheduler>().CancelAsync("resend:user-1", Ct)).ShouldBeTrue();
            await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
            (await scope.ServiceProvider.GetRequiredService<DueWorkScheduler>().CancelAsync("resend:user-1", Ct)).ShouldBeFalse();
        }
        app.Clock.Advance(TimeSpan.FromHours(1));
        (await runner.RunOnceAsync(Ct)).ShouldBe(0);
        ran.ShouldBe(["resend 2"]);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_handler_s_changes_commit_with_its_completion_or_not_at_all(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        var ran = new ConcurrentQueue<string>();
        await using var app = new LayanApp(database, LayanApp.ManualTimers, s => Handlers(s, ran));
        var now = app.Clock.GetUtcNow();
        var succeeded = await ScheduleAsync(app, RecordingHandler.KindName, "kept", now);
        var failed = await ScheduleAsync(app, FailingHandler.KindName, "discarded", now);

        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(2);

        await using var check = database.CreateContext();
        (await check.AuditLog.Select(a => a.Subject).ToListAsync(Ct)).ShouldBe(["kept"]);
        (await check.DueWork.SingleAsync(w => w.Id == succeeded, Ct)).State.ShouldBe(WorkState.Completed);
        var retry = await check.DueWork.SingleAsync(w => w.Id == failed, Ct);
        retry.State.ShouldBe(WorkState.Pending);
        retry.LastError.ShouldBe("InvalidOperationException: handler failed after writing");
        retry.DueAt.ShouldBeGreaterThan(now);
    }

    [Fact]
    public async Task Timer_keys_belong_to_their_workspace()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        var ran = new ConcurrentQueue<string>();
        await using var app = new LayanApp(database, LayanApp.ManualTimers, s => Handlers(s, ran));
        var now = app.Clock.GetUtcNow();

        var first = await ScheduleInAsync(app, Guid.NewGuid(), "workspace 1", now, "sla:ticket-1");
        var second = await ScheduleInAsync(app, Guid.NewGuid(), "workspace 2", now, "sla:ticket-1");
        second.ShouldNotBe(first);
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(2);
        ran.Order().ShouldBe(["workspace 1", "workspace 2"]);
    }

    [Fact]
    public async Task A_timer_re_armed_or_cancelled_while_it_runs_keeps_the_new_decision_and_the_batch_goes_on()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        var ran = new ConcurrentQueue<string>();
        await using var app = new LayanApp(database, LayanApp.ManualTimers, s =>
        {
            Handlers(s, ran);
            s.AddScoped<IWorkHandler<DueWork>, MeddlingHandler>();
        });
        var now = app.Clock.GetUtcNow();
        var rearmed = await ScheduleAsync(app, MeddlingHandler.KindName, "rearm", now, key: "meddle:rearm");
        var cancelled = await ScheduleAsync(app, MeddlingHandler.KindName, "cancel", now.AddSeconds(1), key: "meddle:cancel");
        await ScheduleAsync(app, RecordingHandler.KindName, "after them", now.AddSeconds(2));
        app.Clock.Advance(TimeSpan.FromSeconds(2));

        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(3);

        ran.ShouldBe(["after them"]);
        await using var check = database.CreateContext();
        var moved = await check.DueWork.SingleAsync(w => w.Id == rearmed, Ct);
        moved.State.ShouldBe(WorkState.Pending);
        moved.DueAt.ShouldBe(now.AddHours(1));
        moved.Attempts.ShouldBe(0);
        (await check.DueWork.AnyAsync(w => w.Id == cancelled, Ct)).ShouldBeFalse();
        (await check.AuditLog.Select(a => a.Subject).ToListAsync(Ct)).ShouldBe(["after them"], "the interrupted runs' own changes are discarded");
    }

    [Fact]
    public async Task A_row_whose_lease_ran_out_while_earlier_rows_of_its_batch_ran_is_left_for_the_next_claim()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Sqlite, postgres);
        var ran = new ConcurrentQueue<string>();
        var settings = new Dictionary<string, string?>(LayanApp.ManualTimers) { ["Work:DueWork:Lease"] = "00:01:00" };
        await using var app = new LayanApp(database, settings, s =>
        {
            Handlers(s, ran);
            s.AddScoped<IWorkHandler<DueWork>, SlowHandler>();
        });
        var now = app.Clock.GetUtcNow();
        await ScheduleAsync(app, SlowHandler.KindName, "slow", now);
        var late = await ScheduleAsync(app, RecordingHandler.KindName, "late", now.AddSeconds(1));
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(2);
        ran.ShouldBeEmpty("its lease ended before its turn came");
        (await app.FindAsync<DueWork>(late))!.State.ShouldBe(WorkState.Pending);

        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(1);
        ran.ShouldBe(["late"]);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Two_transactions_arming_one_new_shared_timer_both_commit_and_it_keeps_the_earlier_due(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        var ran = new ConcurrentQueue<string>();
        await using var app = new LayanApp(database, LayanApp.ManualTimers, s => Handlers(s, ran));
        var now = app.Clock.GetUtcNow();
        var armed = new TaskCompletionSource();
        async Task ArmAsync(string note, TimeSpan after, Task? first)
        {
            if (first is not null)
            {
                await first;
            }
            await using var scope = app.Scope();
            var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await scope.ServiceProvider.GetRequiredService<DueWorkScheduler>().ScheduleEarliestAsync(RecordingHandler.KindName, new Note(note), now + after, "shared:second", Ct);
            await db.SaveChangesAsync(Ct);
            if (first is null)
            {
                // The row is written and not committed while the other transaction arms the same key.
                armed.SetResult();
                await Task.Delay(500, Ct);
            }
            await transaction.CommitAsync(Ct);
        }

        await Task.WhenAll(ArmAsync("later", TimeSpan.FromSeconds(10), null), ArmAsync("earlier", TimeSpan.FromSeconds(5), armed.Task));
        await using (var check = database.CreateContext())
        {
            var timer = await check.DueWork.SingleAsync(Ct);
            (timer.Key, timer.DueAt, timer.State).ShouldBe(("system:shared:second", now.AddSeconds(5), WorkState.Pending));
        }
        // Armed for later again, without a transaction of the caller's: the earlier instant stays.
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<DueWorkScheduler>().ScheduleEarliestAsync(RecordingHandler.KindName, new Note("earlier"), now.AddSeconds(20), "shared:second", Ct);
            await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
        }
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(1);
        ran.ShouldBe(["earlier"]);

        // Cancelled and armed again in one unit of work: the timer stays, pending at the new instant.
        await using (var scope = app.Scope())
        {
            var scheduler = scope.ServiceProvider.GetRequiredService<DueWorkScheduler>();
            await scheduler.ScheduleEarliestAsync(RecordingHandler.KindName, new Note("again"), now.AddMinutes(1), "shared:second", Ct);
            await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
            (await scheduler.CancelAsync("shared:second", Ct)).ShouldBeTrue();
            await scheduler.ScheduleEarliestAsync(RecordingHandler.KindName, new Note("again"), now.AddMinutes(2), "shared:second", Ct);
            await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
        }
        await using (var check = database.CreateContext())
        {
            var timer = await check.DueWork.SingleAsync(Ct);
            (timer.State, timer.DueAt).ShouldBe((WorkState.Pending, now.AddMinutes(2)));
        }
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_shared_timer_armed_while_it_runs_runs_again_and_the_interrupted_run_leaves_nothing(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        var ran = new ConcurrentQueue<string>();
        await using var app = new LayanApp(database, LayanApp.ManualTimers, s =>
        {
            Handlers(s, ran);
            s.AddScoped<IWorkHandler<DueWork>, ArmingHandler>();
        });
        var now = app.Clock.GetUtcNow();
        await using (var scope = app.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<DueWorkScheduler>().ScheduleEarliestAsync(ArmingHandler.KindName, new Note("run"), now, ArmingHandler.Key, Ct);
            await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
        }

        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(1);
        await using (var check = database.CreateContext())
        {
            var timer = await check.DueWork.SingleAsync(Ct);
            (timer.State, timer.DueAt, timer.Attempts, timer.LeaseToken).ShouldBe((WorkState.Pending, now, 0, (Guid?)null), "the earlier due stays, and the run lost its claim");
            (await check.AuditLog.CountAsync(Ct)).ShouldBe(0, "the interrupted run's changes are discarded");
        }
        (await app.Runner<DueWork>().RunOnceAsync(Ct)).ShouldBe(1);
        ran.ShouldBe(["armed meanwhile", "ran again"]);
        await using (var check = database.CreateContext())
        {
            (await check.DueWork.SingleAsync(Ct)).State.ShouldBe(WorkState.Completed);
            (await check.AuditLog.Select(a => a.Subject).ToListAsync(Ct)).ShouldBe(["ran again"]);
        }
    }

    private static async Task<Guid> ScheduleInAsync(LayanApp app, Guid workspace, string note, DateTimeOffset dueAt, string key)
    {
        await using var scope = app.Scope();
        scope.ServiceProvider.GetRequiredService<Layan.Infrastructure.Tenancy.TenantContext>().Enter(workspace);
        var work = await scope.ServiceProvider.GetRequiredService<DueWorkScheduler>().ScheduleAsync(RecordingHandler.KindName, new Note(note), dueAt, key, Ct);
        await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
        return work.Id;
    }

    internal sealed record Note(string Text);

    /// <summary>While it runs, someone else re-arms or cancels its own timer.</summary>
    internal sealed class MeddlingHandler(IServiceScopeFactory scopes, AuditLog audit, TimeProvider clock) : IWorkHandler<DueWork>
    {
        public const string KindName = "test.meddle";

        public string Kind => KindName;

        public async Task HandleAsync(DueWork item, CancellationToken cancellationToken)
        {
            audit.Record("test.ran", "meddled", before: null, after: null);
            var note = JsonSerializer.Deserialize<Note>(item.Payload, JsonSerializerOptions.Web)!;
            await using var other = scopes.CreateAsyncScope();
            var scheduler = other.ServiceProvider.GetRequiredService<DueWorkScheduler>();
            if (note.Text == "rearm")
            {
                await scheduler.ScheduleAsync(KindName, note, clock.GetUtcNow().AddHours(1) - TimeSpan.FromSeconds(2), "meddle:rearm", cancellationToken);
            }
            else
            {
                await scheduler.CancelAsync("meddle:cancel", cancellationToken);
            }
            await other.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>On its first run, someone else arms its shared timer for later while it runs.</summary>
    internal sealed class ArmingHandler(IServiceScopeFactory scopes, ConcurrentQueue<string> ran, AuditLog audit, TimeProvider clock) : IWorkHandler<DueWork>
    {
        public const string KindName = "test.arming";
        public const string Key = "arming:second";

        public string Kind => KindName;

        public async Task HandleAsync(DueWork item, CancellationToken cancellationToken)
        {
            var first = ran.IsEmpty;
            audit.Record("test.ran", first ? "interrupted" : "ran again", before: null, after: null);
            ran.Enqueue(first ? "armed meanwhile" : "ran again");
            if (first)
            {
                await using var other = scopes.CreateAsyncScope();
                await other.ServiceProvider.GetRequiredService<DueWorkScheduler>().ScheduleEarliestAsync(KindName, new Note("run"), clock.GetUtcNow().AddMinutes(1), Key, cancellationToken);
                await other.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(cancellationToken);
            }
        }
    }

    /// <summary>Takes longer than the lease.</summary>
    internal sealed class SlowHandler(TimeProvider clock) : IWorkHandler<DueWork>
    {
        public const string KindName = "test.slow";

        public string Kind => KindName;

        public Task HandleAsync(DueWork item, CancellationToken cancellationToken)
        {
            ((ManualClock)clock).Advance(TimeSpan.FromMinutes(2));
            return Task.CompletedTask;
        }
    }

    /// <summary>Records that it ran and writes an audit entry in the runner's unit of work.</summary>
    internal sealed class RecordingHandler(ConcurrentQueue<string> ran, AuditLog audit) : IWorkHandler<DueWork>
    {
        public const string KindName = "test.record";

        public string Kind => KindName;

        public Task HandleAsync(DueWork item, CancellationToken cancellationToken)
        {
            var note = JsonSerializer.Deserialize<Note>(item.Payload, JsonSerializerOptions.Web)!;
            audit.Record("test.ran", note.Text, before: null, after: null);
            ran.Enqueue(note.Text);
            return Task.CompletedTask;
        }
    }

    /// <summary>Writes, then fails: nothing it wrote may be kept.</summary>
    internal sealed class FailingHandler(AuditLog audit) : IWorkHandler<DueWork>
    {
        public const string KindName = "test.fail";

        public string Kind => KindName;

        public Task HandleAsync(DueWork item, CancellationToken cancellationToken)
        {
            audit.Record("test.ran", "discarded", before: null, after: null);
            throw new InvalidOperationException("handler failed after writing");
        }
    }
}
