using System.Diagnostics;
using Layan.Features.Tickets;
using Layan.Features.Tickets.Sla;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Layan.Bench;

/// <summary>
/// Issue 8 on PostgreSQL. (1) 1,000,000 open tickets with a live resolve deadline (3 business days
/// on a Jakarta calendar) and the timers of their due instants: the time and memory to count every
/// deadline again after the calendar is edited, through the same call the settings page makes,
/// against the bare set-based UPDATE of the same clock rows in the same run. Target: ≥ 20,000 tickets/s.
/// (2) Breach notices at a steady 1,000 a minute with the million timers in the table: how late
/// each notice is recorded (p50/p99), against a bare .NET loop that sleeps until each due and
/// inserts one row. Target: p99 &lt; 5 s.
/// </summary>
internal static class SlaBenchmark
{
    public static async Task<int> RunAsync(string adminConnectionString, int tickets)
    {
        var connectionString = await RoutingBenchmark.CreateDatabaseAsync(adminConnectionString, "layan_bench_sla");
        await using (var layan = RoutingBenchmark.Host(connectionString))
        {
            _ = layan.Server;
            var seed = await SeedAsync(layan.Services);
            var seeding = Stopwatch.StartNew();
            await GenerateAsync(connectionString, seed, tickets);
            Console.WriteLine($"seeded {tickets:N0} open tickets with a resolve clock and its breach timer in {seeding.Elapsed.TotalSeconds:F0} s");
            await RecountAsync(layan.Services, connectionString, seed, tickets);
        }
        await LatenessAsync(connectionString, adminConnectionString);
        return 0;
    }

    private sealed record Seed(Guid Workspace, Guid Owner, Guid Calendar, Guid Policy);

    private static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

    private static SlaPreviewCalendar Jakarta(string open) => new(
        "Asia/Jakarta",
        [.. Weekdays.Select(d => new SlaPreviewHours(d, open, "17:00"))],
        ["2026-12-25"]);

    private static async Task<Seed> SeedAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        var now = DateTimeOffset.UtcNow;
        var (owner, workspace) = await RoutingBenchmark.NewWorkspaceAsync(db, now);
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspace.Id);
        db.Add(new Subscription { Feature = PlanFeatures.Ticket, StartedAt = now, PeriodEnd = now.AddYears(1) });
        var calendar = new SlaCalendar { Name = "Jakarta", Definition = System.Text.Json.JsonSerializer.Serialize(Jakarta("09:00"), System.Text.Json.JsonSerializerOptions.Web), UpdatedAt = now };
        db.Add(calendar);
        var policy = new SlaPolicy
        {
            Name = "Standard",
            CalendarId = calendar.Id,
            IsDefault = true,
            UpdatedAt = now,
            Targets = System.Text.Json.JsonSerializer.Serialize(new[] { new PolicyTarget(SlaTargets.Resolve, null, null, 3, "businessDays") }, System.Text.Json.JsonSerializerOptions.Web),
        };
        db.Add(policy);
        await db.SaveChangesAsync();
        return new Seed(workspace.Id, owner.Id, calendar.Id, policy.Id);
    }

    /// <summary>The tickets, their clocks (started over the last week, due in a year, so none fires) and the timer of that instant, in three statements.</summary>
    private static async Task GenerateAsync(string connectionString, Seed seed, int tickets)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in new[]
        {
            """
            INSERT INTO "Tickets" ("Id", "WorkspaceId", "Number", "Subject", "Status", "Priority", "Severity", "PolicyId", "CreatedAt", "UpdatedAt")
            SELECT gen_random_uuid(), @w, g, 'Ticket ' || g, 'open', 'medium', 3, @p, now() - (g % 10080) * interval '1 minute', now()
            FROM generate_series(1, @n) g
            """,
            """
            INSERT INTO "TicketSlaClocks" ("Id", "WorkspaceId", "TicketId", "Target", "Cycle", "StartedAt", "Pauses", "DueAt", "Stopped")
            SELECT gen_random_uuid(), "WorkspaceId", "Id", 'resolve', 1, "CreatedAt", '[]', now() + interval '1 year', false FROM "Tickets" WHERE "WorkspaceId" = @w
            """,
            """
            INSERT INTO "DueWork" ("Id", "Kind", "Payload", "Key", "WorkspaceId", "State", "CreatedAt", "DueAt", "Attempts")
            SELECT gen_random_uuid(), 'sla.breach', '{"second":' || s.second || '}', replace(@w::text, '-', '') || ':sla.breach:' || s.second, @w, 'Pending', now(), s.due, 0
            FROM (SELECT floor(extract(epoch FROM c."DueAt"))::bigint AS second, min(c."DueAt") AS due FROM "TicketSlaClocks" c WHERE c."WorkspaceId" = @w GROUP BY 1) s
            """,
            "INSERT INTO \"TicketSettings\" (\"WorkspaceId\", \"Prefix\", \"LastNumber\", \"InboundAsTicket\", \"AutoCloseBlacklisted\", \"EditInProgressRoles\", \"EditResolvedRoles\", \"RulesMatch\") VALUES (@w, 'CS', @n, false, false, 'supervisor,agent', 'supervisor', 'first')",
            "ANALYZE",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            command.Parameters.AddWithValue("w", seed.Workspace);
            command.Parameters.AddWithValue("p", seed.Policy);
            command.Parameters.AddWithValue("n", tickets);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task RecountAsync(IServiceProvider services, string connectionString, Seed seed, int tickets)
    {
        // Warm-up on a small policy of its own is not possible without more rows: the first edit is measured cold, as a user makes it.
        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
        var watch = Stopwatch.StartNew();
        await using (var scope = services.CreateAsyncScope())
        {
            var access = (await scope.ServiceProvider.GetRequiredService<WorkspaceAccess>().CheckAsync(seed.Owner, seed.Workspace, WorkspaceActions.ManageTickets, CancellationToken.None))!.Value.Value!;
            var saved = await scope.ServiceProvider.GetRequiredService<SlaSetup>().SaveCalendarAsync(access, seed.Calendar, "Jakarta", Jakarta("08:00"), CancellationToken.None);
            if (saved is not { Succeeded: true })
            {
                throw new InvalidOperationException("The calendar edit failed: " + string.Join(", ", saved?.Errors.Select(e => e.Code) ?? []));
            }
        }
        watch.Stop();
        var allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0;
        var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        await CheckRecountAsync(connectionString, seed, tickets);

        var baseline = Stopwatch.StartNew();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var sql in new[]
            {
                "UPDATE \"TicketSlaClocks\" SET \"DueAt\" = \"DueAt\" + interval '1 hour', \"WarnAt\" = NULL WHERE \"WorkspaceId\" = @w",
            })
            {
                await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
                command.Parameters.AddWithValue("w", seed.Workspace);
                await command.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
        }
        baseline.Stop();
        var rate = tickets / watch.Elapsed.TotalSeconds;
        var baselineRate = tickets / baseline.Elapsed.TotalSeconds;
        Console.WriteLine($"recount after a calendar edit: {tickets:N0} tickets in {watch.Elapsed.TotalSeconds:F1} s = {rate:N0} tickets/s (target ≥ 20,000/s); " +
            $"allocated {allocatedMb:N0} MB, peak working set {peakMb:N0} MB (before {peakBefore / 1048576.0:N0} MB)");
        Console.WriteLine($"baseline (the bare set-based UPDATE of the same clock rows): {baseline.Elapsed.TotalSeconds:F1} s = {baselineRate:N0} tickets/s; ratio {rate / baselineRate:P0}");
    }

    // Every due counted on the calendar (a month out, not a year), and the timer of every due's second pending at or before it.
    private static async Task CheckRecountAsync(string connectionString, Seed seed, int tickets)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE c."DueAt" < now() + interval '1 month'), count(*) FILTER (WHERE w."DueAt" <= c."DueAt" AND w."State" = 'Pending')
            FROM "TicketSlaClocks" c LEFT JOIN "DueWork" w ON w."Key" = replace(@w::text, '-', '') || ':sla.breach:' || floor(extract(epoch FROM c."DueAt"))::bigint
            WHERE c."WorkspaceId" = @w
            """, connection)
        { CommandTimeout = 0 };
        command.Parameters.AddWithValue("w", seed.Workspace);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var counted = reader.GetInt64(0);
        var timers = reader.GetInt64(1);
        Console.WriteLine($"check: {counted:N0} of {tickets:N0} dues counted on the calendar, {timers:N0} with their second's breach timer pending at or before them");
        if (counted != tickets || timers != tickets)
        {
            throw new InvalidOperationException("The recount missed clocks or timers.");
        }
    }

    /// <summary>1,000 breaches due over a minute, the due-work runner on; then the same dues kept by a bare .NET loop.</summary>
    private static async Task LatenessAsync(string connectionString, string adminConnectionString)
    {
        const int breaches = 1000;
        var spacing = TimeSpan.FromMilliseconds(60);
        // The recount made many of the million deadlines due already (tickets up to a week old): they
        // stay pending in the table, a year out, so that only the measured breaches fall due.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var push = new NpgsqlCommand("UPDATE \"DueWork\" SET \"DueAt\" = now() + interval '1 year' WHERE \"Kind\" = 'sla.breach'; ANALYZE", connection) { CommandTimeout = 0 };
            await push.ExecuteNonQueryAsync();
        }
        var settings = new Dictionary<string, string> { ["Work:DueWork:Enabled"] = "true", ["Work:DueWork:PollInterval"] = "00:00:01" };
        await using var layan = RoutingBenchmark.Host(connectionString, settings);
        _ = layan.Server;
        Guid workspace;
        // The seed below commits well before; dues are whole seconds, as SlaClock counts them.
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeSeconds());
        var dues = new List<DateTimeOffset>();
        await using (var scope = layan.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
            workspace = await db.Set<Workspace>().Select(w => w.Id).SingleAsync();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspace);
            var policy = await db.Set<SlaPolicy>().Select(p => p.Id).SingleAsync();
            var number = await db.Set<TicketSettings>().Select(s => s.LastNumber).SingleAsync();
            // Twenty restore breaches due in the lead warm the runner's path (JIT, plans, pool); only first responses are measured.
            for (var i = -20; i < breaches; i++)
            {
                var warm = i < 0;
                var ticket = new Ticket { Number = number + 21 + i, Subject = $"Breach {i}", PolicyId = policy, CreatedAt = start, UpdatedAt = start };
                var clock = new TicketSlaClock
                {
                    TicketId = ticket.Id,
                    Target = warm ? SlaTargets.Restore : SlaTargets.FirstResponse,
                    Cycle = 1,
                    StartedAt = start,
                    DueAt = Whole(warm ? start - TimeSpan.FromSeconds(15) + (spacing * (i + 20)) : start + (spacing * i)),
                };
                db.AddRange(ticket, clock);
                dues.Add(clock.DueAt!.Value);
            }
            // The timers as SlaEngine arms them (one per due instant: the same kind, payload and key), added in bulk.
            foreach (var due in dues.Distinct())
            {
                db.Add(new Infrastructure.Jobs.DueWork
                {
                    Kind = SlaEngine.BreachKind,
                    Payload = System.Text.Json.JsonSerializer.Serialize(new SlaSecond(due.ToUnixTimeSeconds()), System.Text.Json.JsonSerializerOptions.Web),
                    Key = $"{workspace:N}:{SlaEngine.SecondKey(SlaEngine.BreachKind, due.ToUnixTimeSeconds())}",
                    WorkspaceId = workspace,
                    CreatedAt = DateTimeOffset.UtcNow,
                    DueAt = due,
                });
            }
            await db.SaveChangesAsync();
        }
        if (DateTimeOffset.UtcNow > start)
        {
            throw new InvalidOperationException("Seeding took longer than the lead before the first due.");
        }
        var end = start + (spacing * breaches) + TimeSpan.FromSeconds(10);
        while (DateTimeOffset.UtcNow < end)
        {
            await Task.Delay(1000);
        }
        var warmed = await LateAsync(connectionString, workspace, 20, SlaTargets.Restore);
        Console.WriteLine($"warm-up breaches: p50 {warmed.P50:F0} ms, max {warmed.Max:F0} ms late");
        var late = await LateAsync(connectionString, workspace, breaches, SlaTargets.FirstResponse);
        var bare = await BareTimerLoopAsync(connectionString, breaches, spacing);
        Console.WriteLine($"breach notices at 1,000/min with {breaches:N0} due: p50 {late.P50:F0} ms, p99 {late.P99:F0} ms, max {late.Max:F0} ms late (target p99 < 5,000 ms)");
        Console.WriteLine($"baseline (a bare .NET loop sleeping until each due, one INSERT): p50 {bare.P50:F0} ms, p99 {bare.P99:F0} ms; p99 ratio {late.P99 / Math.Max(bare.P99, 1):F1}x");
        _ = adminConnectionString;
    }

    private static async Task<(double P50, double P99, double Max)> LateAsync(string connectionString, Guid workspace, int expected, string target)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT EXTRACT(EPOCH FROM (\"BreachedAt\" - \"DueAt\")) * 1000 FROM \"TicketSlaClocks\" WHERE \"WorkspaceId\" = @w AND \"Target\" = @t AND \"BreachedAt\" IS NOT NULL ORDER BY \"DueAt\"", connection);
        command.Parameters.AddWithValue("w", workspace);
        command.Parameters.AddWithValue("t", target);
        var lateness = new List<double>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lateness.Add((double)reader.GetDecimal(0));
            }
        }
        if (lateness.Count != expected)
        {
            throw new InvalidOperationException($"{lateness.Count} of {expected} breaches were recorded.");
        }
        return Percentiles(lateness);
    }

    private static async Task<(double P50, double P99, double Max)> BareTimerLoopAsync(string connectionString, int count, TimeSpan spacing)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE bench_notices (due timestamptz, at timestamptz)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        var start = Whole(DateTimeOffset.UtcNow.AddSeconds(2));
        var lateness = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var due = Whole(start + (spacing * i));
            var wait = due - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            await using var insert = new NpgsqlCommand("INSERT INTO bench_notices VALUES (@d, now())", connection);
            insert.Parameters.AddWithValue("d", due);
            await insert.ExecuteNonQueryAsync();
            lateness.Add((DateTimeOffset.UtcNow - due).TotalMilliseconds);
        }
        return Percentiles(lateness);
    }

    private static DateTimeOffset Whole(DateTimeOffset instant) => DateTimeOffset.FromUnixTimeSeconds(instant.ToUnixTimeSeconds());

    private static (double P50, double P99, double Max) Percentiles(List<double> values)
    {
        values.Sort();
        return (values[values.Count / 2], values[(int)(values.Count * 0.99)], values[^1]);
    }
}
