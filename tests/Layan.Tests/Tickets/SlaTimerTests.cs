using System.Net;
using System.Net.Http.Json;
using Layan.Features.Tickets;
using Layan.Features.Tickets.Sla;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Work;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Shouldly;

namespace Layan.Tests.Tickets;

// TKT-6's timers, one per due second of a workspace: seconds next to each other, more clocks in a
// second than one run notices, one clock failing in its second's run, and what a recount leaves
// (on both providers, and a PostgreSQL recount that fails half way).
public sealed partial class TicketTests
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Dues_in_consecutive_seconds_have_a_timer_each_and_each_breaches_in_its_own_second(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        await FirstResponseInAnHourAsync(ana, id);
        app.Clock.Advance(TimeSpan.FromMilliseconds(600)); // 09:00:00.600: due 10:00:00
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Late parcel" }));
        app.Clock.Advance(TimeSpan.FromMilliseconds(500)); // 09:00:01.100: due 10:00:01
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Broken zip" }));
        var ten = At(23, 10, 0);
        var timers = await BreachTimersAsync(app);
        timers.Select(t => (t.Key, t.DueAt)).Order().ShouldBe(
            [($"{id:N}:sla.breach:{ten.ToUnixTimeSeconds()}", ten), ($"{id:N}:sla.breach:{ten.ToUnixTimeSeconds() + 1}", ten.AddSeconds(1))]);

        await LaterAsync(app, ana, TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1100)); // 10:00:00
        (await BreachesAsync(ana, id, 1), await BreachesAsync(ana, id, 2)).ShouldBe((1, 0));
        (await BreachTimersAsync(app)).OrderBy(t => t.DueAt).Select(t => t.State).ShouldBe([WorkState.Completed, WorkState.Pending]);
        await LaterAsync(app, ana, TimeSpan.FromSeconds(1)); // 10:00:01
        (await BreachesAsync(ana, id, 1), await BreachesAsync(ana, id, 2)).ShouldBe((1, 1));
        (await BreachTimersAsync(app)).ShouldAllBe(t => t.State == WorkState.Completed);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task More_clocks_in_one_second_than_a_run_notices_all_breach_once_over_runs_of_its_timer(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        await FirstResponseInAnHourAsync(ana, id);
        const int Tickets = SlaEngine.NoticesPerRun + 5;
        for (var i = 0; i < Tickets; i++)
        {
            await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = $"Parcel {i}" }));
        }
        (await BreachTimersAsync(app)).ShouldHaveSingleItem();

        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.Runner<DueWork>().RunOnceAsync(Ct);
        (await BreachedClocksAsync(app)).ShouldBe(SlaEngine.NoticesPerRun, "one run notices at most its share");
        var timer = (await BreachTimersAsync(app)).ShouldHaveSingleItem();
        (timer.State, timer.DueAt).ShouldBe((WorkState.Pending, app.Clock.GetUtcNow()), "armed again at once for the rest");

        await app.Runner<DueWork>().RunOnceAsync(Ct);
        (await BreachedClocksAsync(app)).ShouldBe(Tickets);
        (await BreachTimersAsync(app)).ShouldHaveSingleItem().State.ShouldBe(WorkState.Completed);
        await using var db = app.Database.CreateContext();
        var breaches = await db.Set<TicketEvent>().IgnoreQueryFilters().Where(e => e.Kind == TicketEventKinds.SlaBreached).Select(e => e.TicketId).ToListAsync(Ct);
        (breaches.Count, breaches.Distinct().Count()).ShouldBe((Tickets, Tickets), "each ticket breached once");
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Clocks_whose_notice_fails_are_undone_alone_and_tried_again_on_timers_of_their_own(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        await FirstResponseInAnHourAsync(ana, id);
        foreach (var subject in new[] { "Late parcel", "Explodes", "Mail fails", "Broken zip" })
        {
            await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject }));
        }
        // The database refuses one breach at its claim, and another's email after its event is written
        // (failures inside the transaction: PostgreSQL aborts it).
        await ExecuteAsync(app, provider == Provider.Postgres ? RefuseOnPostgres : RefuseOnSqlite);

        await LaterAsync(app, ana, TimeSpan.FromHours(1));
        (await BreachesAsync(ana, id, 1), await BreachesAsync(ana, id, 2), await BreachesAsync(ana, id, 3), await BreachesAsync(ana, id, 4))
            .ShouldBe((1, 0, 0, 1), "the others of its second are noticed, before and after the failures");
        List<Guid> failing;
        await using (var db = app.Database.CreateContext())
        {
            failing = await db.Set<TicketSlaClock>().IgnoreQueryFilters().Where(c => c.BreachedAt == null).Select(c => c.Id).ToListAsync(Ct);
            failing.Count.ShouldBe(2);
            var own = await OwnTimersAsync(db, id, failing);
            own.ShouldAllBe(w => w.State == WorkState.Pending && w.Kind == SlaEngine.BreachKind);
            own.Count.ShouldBe(2);
            (await db.Set<TicketEvent>().IgnoreQueryFilters().CountAsync(e => e.Kind == TicketEventKinds.SlaBreached, Ct)).ShouldBe(2, "the failed notices' timeline entries went with them");
            var events = await db.Set<Layan.Features.Realtime.StoredEvent>().IgnoreQueryFilters().Where(e => e.Type == "ticket.sla").ToListAsync(Ct);
            events.Count.ShouldBe(2, "the event written before the mail failed went with it");
        }
        var mails = (await app.EmailsToAsync(Ana)).Select(m => m.Subject).Where(s => s.StartsWith("SLA breached", StringComparison.Ordinal)).Order().ToList();
        mails.ShouldBe(["SLA breached: CS-000001 in Toko Ana", "SLA breached: CS-000004 in Toko Ana"]);

        // Still refused: their own timers back off (the second's timer is done).
        await app.Runner<DueWork>().RunOnceAsync(Ct);
        await using (var db = app.Database.CreateContext())
        {
            var own = await OwnTimersAsync(db, id, failing);
            // (The refused mail's error is EF's "see the inner exception".)
            own.ShouldAllBe(w => w.State == WorkState.Pending && w.Attempts == 1 && w.LastError != null);
            own.ShouldContain(w => w.LastError!.Contains("notice refused"));
            (await BreachTimersAsync(app)).Where(t => t.Key!.Contains(":sla.breach:", StringComparison.Ordinal)).ShouldAllBe(t => t.State == WorkState.Completed);
        }
        await ExecuteAsync(app, provider == Provider.Postgres ? AllowOnPostgres : AllowOnSqlite);
        await LaterAsync(app, ana, TimeSpan.FromMinutes(1));
        (await BreachesAsync(ana, id, 1), await BreachesAsync(ana, id, 2), await BreachesAsync(ana, id, 3), await BreachesAsync(ana, id, 4)).ShouldBe((1, 1, 1, 1));
        var all = await app.EmailsToAsync(Ana);
        (all.Count(m => m.Subject == "SLA breached: CS-000002 in Toko Ana"), all.Count(m => m.Subject == "SLA breached: CS-000003 in Toko Ana")).ShouldBe((1, 1));
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task More_failing_clocks_than_a_run_notices_do_not_hold_their_second_s_timer_or_the_rest_of_it(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        await FirstResponseInAnHourAsync(ana, id);
        const int Failing = SlaEngine.NoticesPerRun + 1;
        for (var i = 0; i < Failing; i++)
        {
            await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Explodes" }));
        }
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Fine" }));
        await ExecuteAsync(app, provider == Provider.Postgres ? RefuseOnPostgres : RefuseOnSqlite);

        app.Clock.Advance(TimeSpan.FromHours(1));
        var passes = 0;
        while (await app.Runner<DueWork>().RunOnceAsync(Ct) > 0)
        {
            (++passes).ShouldBeLessThan(10, "the second's timer runs again only for clocks it has not tried");
        }
        (await BreachedClocksAsync(app)).ShouldBe(1);
        (await BreachesAsync(ana, id, Failing + 1)).ShouldBe(1);
        var timers = await BreachTimersAsync(app);
        timers.Single(t => t.Key!.Contains(":sla.breach:", StringComparison.Ordinal)).State.ShouldBe(WorkState.Completed);
        var own = timers.Where(t => t.Key!.Contains(".clock:", StringComparison.Ordinal)).ToList();
        own.Count.ShouldBe(Failing);
        own.ShouldAllBe(t => t.State == WorkState.Pending && t.Attempts == 1, "each backs off on its own, tried once so far");
    }

    private static async Task ExecuteAsync(LayanApp app, IEnumerable<string> statements)
    {
        await using var db = app.Database.CreateContext();
        foreach (var sql in statements)
        {
            await db.Database.ExecuteSqlRawAsync(sql, Ct);
        }
    }

    private static Task<List<DueWork>> OwnTimersAsync(Layan.Infrastructure.Db.LayanDbContext db, Guid id, List<Guid> clocks)
    {
        var keys = clocks.Select(c => $"{id:N}:{SlaEngine.ClockKey(SlaEngine.BreachKind, c)}").ToList();
        return db.DueWork.Where(w => keys.Contains(w.Key!)).ToListAsync(Ct);
    }

    private static readonly string[] RefuseOnSqlite =
    [
        "CREATE TRIGGER refuse_notice BEFORE UPDATE OF \"BreachedAt\" ON \"TicketSlaClocks\" FOR EACH ROW " +
        "WHEN NEW.\"BreachedAt\" IS NOT NULL AND (SELECT \"Subject\" FROM \"Tickets\" WHERE \"Id\" = NEW.\"TicketId\") = 'Explodes' " +
        "BEGIN SELECT RAISE(ABORT, 'notice refused'); END",
        "CREATE TRIGGER refuse_mail BEFORE INSERT ON \"Outbox\" FOR EACH ROW WHEN NEW.\"Payload\" LIKE '%CS-000003%' " +
        "BEGIN SELECT RAISE(ABORT, 'notice refused: mail'); END",
    ];

    private static readonly string[] AllowOnSqlite = ["DROP TRIGGER refuse_notice", "DROP TRIGGER refuse_mail"];

    private static readonly string[] RefuseOnPostgres =
    [
        "CREATE FUNCTION refuse_notice() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
        "IF NEW.\"BreachedAt\" IS NOT NULL AND (SELECT \"Subject\" FROM \"Tickets\" WHERE \"Id\" = NEW.\"TicketId\") = 'Explodes' THEN RAISE EXCEPTION 'notice refused'; END IF; " +
        "RETURN NEW; END $$",
        "CREATE TRIGGER refuse_notice BEFORE UPDATE OF \"BreachedAt\" ON \"TicketSlaClocks\" FOR EACH ROW EXECUTE FUNCTION refuse_notice()",
        "CREATE FUNCTION refuse_mail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
        "IF NEW.\"Payload\" LIKE '%CS-000003%' THEN RAISE EXCEPTION 'notice refused: mail'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER refuse_mail BEFORE INSERT ON \"Outbox\" FOR EACH ROW EXECUTE FUNCTION refuse_mail()",
    ];

    private static readonly string[] AllowOnPostgres = ["DROP TRIGGER refuse_notice ON \"TicketSlaClocks\"", "DROP TRIGGER refuse_mail ON \"Outbox\""];

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_recount_leaves_one_timer_for_each_second_its_clocks_now_fall_due_in(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        var (calendar, _) = await OfficePolicyAsync(ana, id);
        app.Clock.Advance(TimeSpan.FromMilliseconds(100));
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Late parcel" }));
        app.Clock.Advance(TimeSpan.FromMilliseconds(600)); // the same second
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Broken zip" }));
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/tickets", new { subject = "Wrong size" }));
        var eleven = At(23, 11, 0);
        (await BreachTimersAsync(app)).Select(t => t.DueAt).Order().ShouldBe([eleven, eleven.AddSeconds(5)]);

        // Closed from 10:00 to 13:00: two business hours from 09:00 end at 14:00.
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/calendars/{calendar}", new
        {
            name = "Office",
            calendar = new { timeZone = "Etc/UTC", hours = WorkingDays.SelectMany(day => new[] { new { day, open = "09:00", close = "10:00" }, new { day, open = "13:00", close = "17:00" } }) },
        }, Ct));
        var two = At(23, 14, 0);
        var timers = await BreachTimersAsync(app);
        timers.Where(t => t.DueAt >= two).Select(t => (t.Key, t.DueAt, t.State)).Order().ShouldBe(
        [
            ($"{id:N}:sla.breach:{two.ToUnixTimeSeconds()}", two, WorkState.Pending),
            ($"{id:N}:sla.breach:{two.ToUnixTimeSeconds() + 5}", two.AddSeconds(5), WorkState.Pending),
        ]);
        timers.Single(t => t.DueAt == two).Payload.ShouldContain(two.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        timers.Count.ShouldBe(4, "the old seconds' timers stay, and find nothing");

        await LaterAsync(app, ana, eleven.AddSeconds(10) - app.Clock.GetUtcNow());
        (await BreachedClocksAsync(app)).ShouldBe(0);
        await LaterAsync(app, ana, two.AddSeconds(5) - app.Clock.GetUtcNow());
        (await BreachesAsync(ana, id, 1), await BreachesAsync(ana, id, 2), await BreachesAsync(ana, id, 3)).ShouldBe((1, 1, 1));
    }

    [Fact]
    public async Task A_PostgreSQL_recount_that_fails_half_way_changes_nothing_and_leaves_no_query_running()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, postgres);
        await using var workspace = await WorkspaceWithTicketsAsync(database);
        var (app, ana, id) = workspace;
        var (calendar, policy) = await OfficePolicyAsync(ana, id);
        // More clocks than a batch, so that the next batch is being read when the first fails; the first clock read is damaged.
        const int Clocks = RecountStore.Batch + 500;
        var start = app.Clock.GetUtcNow().UtcDateTime;
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            foreach (var sql in new[]
            {
                "INSERT INTO \"Tickets\" (\"Id\", \"WorkspaceId\", \"Number\", \"Subject\", \"Status\", \"Priority\", \"Severity\", \"PolicyId\", \"CreatedAt\", \"UpdatedAt\") " +
                "SELECT gen_random_uuid(), @w, g, 'Ticket ' || g, 'open', 'medium', 3, @p, @s, @s FROM generate_series(1, @n) g",
                "INSERT INTO \"TicketSlaClocks\" (\"Id\", \"WorkspaceId\", \"TicketId\", \"Target\", \"Cycle\", \"StartedAt\", \"Pauses\", \"DueAt\", \"Stopped\") " +
                "SELECT gen_random_uuid(), \"WorkspaceId\", \"Id\", 'resolve', 1, \"CreatedAt\", CASE WHEN \"Number\" = 1 THEN 'not json' ELSE '[]' END, @s + interval '2 hours', false " +
                "FROM \"Tickets\" WHERE \"WorkspaceId\" = @w ORDER BY \"Number\"",
                "UPDATE \"TicketSettings\" SET \"LastNumber\" = @n WHERE \"WorkspaceId\" = @w",
            })
            {
                await using var command = new NpgsqlCommand(sql, connection);
                command.Parameters.AddWithValue("w", id);
                command.Parameters.AddWithValue("p", policy);
                command.Parameters.AddWithValue("s", start);
                command.Parameters.AddWithValue("n", Clocks);
                await command.ExecuteNonQueryAsync(Ct);
            }
        }
        var lunch = new
        {
            name = "Office",
            calendar = new { timeZone = "Etc/UTC", hours = WorkingDays.SelectMany(day => new[] { new { day, open = "09:00", close = "10:00" }, new { day, open = "13:00", close = "17:00" } }) },
        };

        var failed = await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/calendars/{calendar}", lunch, Ct);
        var problem = await failed.ShouldBeProblemAsync(HttpStatusCode.InternalServerError);
        problem.ToString().ShouldNotContain("   at ", Case.Sensitive, "no stack trace");
        var calendars = await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/sla/calendars", Ct));
        calendars[0].GetProperty("calendar").GetProperty("hours").GetArrayLength().ShouldBe(WorkingDays.Length, "the edit was undone");
        await using (var db = app.Database.CreateContext())
        {
            (await db.Set<TicketSlaClock>().IgnoreQueryFilters().CountAsync(c => c.DueAt == At(23, 11, 0), Ct)).ShouldBe(Clocks, "no due moved");
            (await db.DueWork.CountAsync(w => w.Kind == SlaEngine.BreachKind, Ct)).ShouldBe(0, "no timer made");
        }
        // The read-ahead query was cancelled and its connection closed, not left streaming.
        await Eventually.Until(
            async () =>
            {
                await using var connection = new NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync(Ct);
                await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%JOIN \"Tickets\" t%' AND pid <> pg_backend_pid()", connection);
                return (long)(await command.ExecuteScalarAsync(Ct))!;
            },
            running => running == 0,
            "the recount's read-ahead query to end");

        // Repaired, the same edit counts every clock again.
        await using (var db = app.Database.CreateContext())
        {
            await db.Set<TicketSlaClock>().IgnoreQueryFilters().Where(c => c.Pauses == "not json").ExecuteUpdateAsync(u => u.SetProperty(c => c.Pauses, "[]"), Ct);
        }
        await SuccessAssertions.OkAsync(await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/sla/calendars/{calendar}", lunch, Ct));
        await using (var db = app.Database.CreateContext())
        {
            (await db.Set<TicketSlaClock>().IgnoreQueryFilters().CountAsync(c => c.DueAt == At(23, 14, 0), Ct)).ShouldBe(Clocks);
            (await db.DueWork.Where(w => w.Kind == SlaEngine.BreachKind).Select(w => w.DueAt).ToListAsync(Ct)).ShouldBe([At(23, 14, 0)]);
        }
    }

    // An office calendar (weekdays 09:00 to 17:00 UTC) and a default policy on it: resolve in two business hours.
    private static async Task<(Guid Calendar, Guid Policy)> OfficePolicyAsync(HttpClient ana, Guid id)
    {
        var calendar = (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/calendars", new
        {
            name = "Office",
            calendar = new { timeZone = "Etc/UTC", hours = Weekdays("09:00", "17:00") },
        }))).GetProperty("id").GetGuid();
        var policy = (await SuccessAssertions.OkAsync(await ana.PostJsonAsync($"/api/v1/workspaces/{id}/sla/policies", new
        {
            name = "Office hours",
            calendarId = calendar,
            isDefault = true,
            targets = new[] { new { target = "resolve", amount = 2, unit = "businessHours" } },
        }))).GetProperty("id").GetGuid();
        return (calendar, policy);
    }

    private static async Task<List<DueWork>> BreachTimersAsync(LayanApp app)
    {
        await using var db = app.Database.CreateContext();
        return await db.DueWork.Where(w => w.Kind == SlaEngine.BreachKind).ToListAsync(Ct);
    }

    private static async Task<int> BreachedClocksAsync(LayanApp app)
    {
        await using var db = app.Database.CreateContext();
        return await db.Set<TicketSlaClock>().IgnoreQueryFilters().CountAsync(c => c.BreachedAt != null, Ct);
    }

    private static async Task<int> BreachesAsync(HttpClient ana, Guid id, int number) =>
        Kinds(await SuccessAssertions.OkAsync(await ana.GetAsync($"/api/v1/workspaces/{id}/tickets/{number}", Ct))).Count(k => k == "sla_breached");
}
