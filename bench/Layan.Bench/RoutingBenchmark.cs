using System.Diagnostics;
using Layan.Features.Accounts;
using Layan.Features.Inbox;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Layan.Bench;

/// <summary>
/// Issue 6, routing throughput: assignments per second with 50 online agents in 5 departments,
/// each assignment a full routing decision (advisory lock, queue, candidates, capacity, claim,
/// decision, event), 5 departments routed at once; against the same number of bare single-row
/// UPDATE transactions from .NET with the same concurrency, on the same PostgreSQL, in the same run.
/// </summary>
internal static class RoutingBenchmark
{
    private const int Departments = 5;
    private const int AgentsPerDepartment = 10;
    private const int PerDepartment = 400;

    // Backlog rounds, each next to a baseline round: a figure is the median of the rounds' ratios.
    private const int Rounds = 7;

    public static async Task<int> RunAsync(string adminConnectionString)
    {
        var connectionString = await CreateDatabaseAsync(adminConnectionString, "layan_bench_routing");
        await using var layan = Host(connectionString);
        _ = layan.Server; // starts the host: migrations applied
        var (workspaceId, departments) = await SeedAsync(layan.Services);
        await CreateCountersAsync(connectionString);

        // Warm-up: one routing decision per department (JIT, connection pool, plans).
        await RouteAllAsync(layan.Services, workspaceId, departments, 1);
        var assignments = (PerDepartment - 1) * Departments;
        var routing = Stopwatch.StartNew();
        await RouteAllAsync(layan.Services, workspaceId, departments, PerDepartment - 1);
        routing.Stop();
        var arrivalBaseline = await BaselineAsync(connectionString, assignments);
        await CheckAsync(layan.Services, workspaceId, assignments + Departments);
        Report("one decision per arrival", assignments, routing.Elapsed, assignments / arrivalBaseline.TotalSeconds);

        // A backlog: the same number queued at once, drained by passes that assign up to 200 each;
        // then as many bare transactions, and again, so that both sides see the box in the same mood.
        var backlog = PerDepartment * Departments;
        var rounds = new List<(double Rate, double Baseline)>();
        for (var round = 1; round <= Rounds; round++)
        {
            await QueueAsync(layan.Services, workspaceId, departments);
            var drain = Stopwatch.StartNew();
            await DrainAsync(layan.Services, workspaceId, departments);
            drain.Stop();
            var baseline = await BaselineAsync(connectionString, backlog);
            rounds.Add((backlog / drain.Elapsed.TotalSeconds, backlog / baseline.TotalSeconds));
            Console.WriteLine($"  backlog round {round}: {backlog} assignments in {drain.Elapsed.TotalSeconds:F2} s = {rounds[^1].Rate:F0}/s; baseline {rounds[^1].Baseline:F0}/s; ratio {rounds[^1].Rate / rounds[^1].Baseline:P1}");
        }
        await CheckAsync(layan.Services, workspaceId, (PerDepartment * Departments) + (Rounds * backlog));
        var ratios = rounds.Select(r => (r.Rate, r.Baseline, Ratio: r.Rate / r.Baseline)).OrderBy(r => r.Ratio).ToList();
        var median = ratios[Rounds / 2];
        Console.WriteLine($"routing, backlog drained in passes: median of {Rounds} rounds {median.Rate:F0}/s against {median.Baseline:F0}/s = {median.Ratio:P1} of the baseline " +
                          $"(rounds {ratios[0].Ratio:P0} to {ratios[^1].Ratio:P0}; target >= 50%)");
        return 0;
    }

    /// <summary>Routes every department's queue at once, in passes of up to 200, until nothing is left to assign.</summary>
    internal static Task DrainAsync(IServiceProvider services, Guid workspaceId, IReadOnlyList<Guid> departments) =>
        Task.WhenAll(departments.Select(department => Task.Run(async () =>
        {
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspaceId);
            while (await scope.ServiceProvider.GetRequiredService<Router>().RouteAsync(department, RoutingTriggers.Sweep, CancellationToken.None) > 0)
            {
            }
        })));

    private static void Report(string what, int assignments, TimeSpan elapsed, double baselineRate)
    {
        var rate = assignments / elapsed.TotalSeconds;
        Console.WriteLine($"routing, {what}: {assignments} assignments in {elapsed.TotalSeconds:F2} s = {rate:F0}/s, {rate / baselineRate:P1} of the baseline (target >= 50%)");
    }

    private static async Task QueueAsync(IServiceProvider services, Guid workspaceId, IReadOnlyList<Guid> departments)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        var now = DateTimeOffset.UtcNow;
        var contact = new Contact { Name = "Visitor", CreatedAt = now };
        db.Add(contact);
        foreach (var department in departments)
        {
            for (var c = 0; c < PerDepartment; c++)
            {
                db.Add(new Conversation { ContactId = contact.Id, Channel = ChannelKinds.WebChat, DepartmentId = department, CreatedAt = now, LastActivityAt = now, QueuedAt = now.AddTicks(c) });
            }
        }
        await db.SaveChangesAsync();
    }

    private static async Task RouteAllAsync(IServiceProvider services, Guid workspaceId, IReadOnlyList<Guid> departments, int each) =>
        await Task.WhenAll(departments.Select(department => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await using var scope = services.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspaceId);
                var assigned = await scope.ServiceProvider.GetRequiredService<Router>().RouteAsync(department, RoutingTriggers.NewConversation, limit: 1, CancellationToken.None);
                if (assigned != 1)
                {
                    throw new InvalidOperationException("A routing pass assigned nothing: the benchmark's setup is wrong.");
                }
            }
        })));

    private static async Task CreateCountersAsync(string connectionString)
    {
        await using var setup = new NpgsqlConnection(connectionString);
        await setup.OpenAsync();
        await using var create = new NpgsqlCommand(
            "CREATE TABLE bench_counters (id int PRIMARY KEY, n bigint NOT NULL); INSERT INTO bench_counters SELECT g, 0 FROM generate_series(1, 1000) g", setup);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>The baseline: as many <c>BEGIN; UPDATE … WHERE id = …; COMMIT</c> as <paramref name="transactions"/>, 5 at once.</summary>
    private static async Task<TimeSpan> BaselineAsync(string connectionString, int transactions)
    {
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Departments).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < transactions / Departments; i++)
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await using var update = new NpgsqlCommand("UPDATE bench_counters SET n = n + 1 WHERE id = @id", connection, transaction);
                update.Parameters.AddWithValue("id", (worker * 200) + (i % 200) + 1);
                await update.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
            }
        })));
        return watch.Elapsed;
    }

    internal static async Task<(Guid Workspace, IReadOnlyList<Guid> Departments)> SeedAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        var now = DateTimeOffset.UtcNow;
        var (_, workspace) = await NewWorkspaceAsync(db, now);
        workspace.RoutingMode = RoutingModes.Round;
        workspace.DefaultCapacity = 1000;
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspace.Id);
        db.Add(new Subscription { Feature = PlanFeatures.DistributeChat, StartedAt = now, PeriodEnd = now.AddYears(1) });
        var departments = new List<Guid>();
        for (var d = 0; d < Departments; d++)
        {
            var department = new Department { Name = $"Department {d}", IsDefault = d == 0, CreatedAt = now };
            db.Add(department);
            departments.Add(department.Id);
            for (var a = 0; a < AgentsPerDepartment; a++)
            {
                var agent = NewUser($"agent-{d}-{a}");
                db.Add(agent);
                db.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = agent.Id, Role = WorkspaceRoles.Agent, JoinedAt = now });
                db.Add(new DepartmentMember { DepartmentId = department.Id, UserId = agent.Id });
                // Online for the whole run (the grace window is 90 s; the run is shorter).
                db.Add(new AgentState { UserId = agent.Id, Presence = PresenceStatus.Online, LastSeenAt = now.AddMinutes(30) });
            }
            var contact = new Contact { Name = "Visitor", CreatedAt = now };
            db.Add(contact);
            for (var c = 0; c < PerDepartment; c++)
            {
                db.Add(new Conversation { ContactId = contact.Id, Channel = ChannelKinds.WebChat, DepartmentId = department.Id, CreatedAt = now, LastActivityAt = now, QueuedAt = now.AddTicks(c) });
            }
        }
        await db.SaveChangesAsync();
        return (workspace.Id, departments);
    }

    private static async Task CheckAsync(IServiceProvider services, Guid workspaceId, int expected)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspaceId);
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        var assigned = db.Set<Conversation>().Count(c => c.AssigneeId != null);
        var spread = db.Set<AgentState>().Select(a => a.OpenCount).ToList();
        Console.WriteLine($"check: {assigned} of {expected} assigned; per agent min {spread.Min()} max {spread.Max()}");
        await Task.CompletedTask;
    }

    /// <summary>An active workspace "Bench" whose owner is its Administrator, saved.</summary>
    internal static async Task<(User Owner, Workspace Workspace)> NewWorkspaceAsync(LayanDbContext db, DateTimeOffset now)
    {
        var owner = NewUser("owner");
        db.Add(owner);
        await db.SaveChangesAsync();
        var workspace = new Workspace
        {
            Name = "Bench",
            Type = WorkspaceTypes.Business,
            Country = "ID",
            TimeZone = "Asia/Jakarta",
            DefaultLanguage = "en",
            Status = WorkspaceStatus.Active,
            CreatedBy = owner.Id,
            CreatedAt = now,
        };
        db.Add(workspace);
        db.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = owner.Id, Role = WorkspaceRoles.Administrator, JoinedAt = now });
        await db.SaveChangesAsync();
        return (owner, workspace);
    }

    internal static User NewUser(string name) => new()
    {
        UserName = $"{name}@bench.example",
        Email = $"{name}@bench.example",
        NormalizedEmail = $"{name}@BENCH.EXAMPLE".ToUpperInvariant(),
        NormalizedUserName = $"{name}@BENCH.EXAMPLE".ToUpperInvariant(),
        EmailConfirmed = true,
        FullName = name,
        Language = "en",
        CreatedAt = DateTimeOffset.UtcNow,
        SecurityStamp = Guid.NewGuid().ToString(),
    };

    /// <summary>Layan in-process on the benchmark's database, with no background work of its own.</summary>
    internal static WebApplicationFactory<Program> Host(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        UseSourceContentRoot();
        return new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Database:Provider", "Postgres");
            web.UseSetting("ConnectionStrings:Layan", connectionString);
            web.UseSetting("Storage:DataDirectory", Path.Combine(Path.GetTempPath(), "layan-bench-" + Guid.NewGuid().ToString("N")));
            web.UseSetting("Inbox:SweepInterval", "00:00:00");
            web.UseSetting("Work:DueWork:Enabled", "false");
            web.UseSetting("Work:Outbox:Enabled", "false");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value); // a benchmark's own settings win
            }
            web.UseEnvironment("Production");
        });
    }

    /// <summary>The test host finds Layan's content root (appsettings, wwwroot) in the repository.</summary>
    internal static void UseSourceContentRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Layan.slnx")))
        {
            directory = directory.Parent;
        }
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_LAYAN", Path.Combine(directory?.FullName ?? ".", "src", "Layan"));
    }

    internal static async Task<string> CreateDatabaseAsync(string admin, string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 50 }.ToString();
    }
}
