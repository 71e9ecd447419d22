using System.Diagnostics;
using Layan.Features.Inbox;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Layan.Bench;

/// <summary>
/// Issue 6, the inbox's first page at 1,000,000 conversations: p50/p95 of the list an agent opens
/// (view Mine, status open, with the three counts), against the bare indexed query for the same 25
/// rows on the same database in the same run. Target: p95 &lt; 50 ms.
/// </summary>
internal static class InboxBenchmark
{
    private const int Conversations = 1_000_000;
    private const int Samples = 200;

    public static async Task<int> RunAsync(string adminConnectionString)
    {
        var connectionString = await RoutingBenchmark.CreateDatabaseAsync(adminConnectionString, "layan_bench_inbox");
        await using var layan = RoutingBenchmark.Host(connectionString);
        _ = layan.Server;
        var (workspaceId, departments) = await RoutingBenchmark.SeedAsync(layan.Services);
        var seeding = Stopwatch.StartNew();
        var me = await GenerateAsync(layan.Services, connectionString, workspaceId, departments);
        Console.WriteLine($"seeded {Conversations:N0} conversations in {seeding.Elapsed.TotalSeconds:F0} s");

        var list = await SampleAsync(async () =>
        {
            await using var scope = layan.Services.CreateAsyncScope();
            var access = await scope.ServiceProvider.GetRequiredService<WorkspaceAccess>().CheckAsync(me, workspaceId, WorkspaceActions.UseInbox, CancellationToken.None);
            var page = await scope.ServiceProvider.GetRequiredService<InboxQueries>().ListAsync(access!.Value.Value!, new InboxFilter(InboxViews.Mine, null, null, ConversationStatus.Open, null, 1), CancellationToken.None);
            if (page.Items.Count != InboxQueries.PageSize)
            {
                throw new InvalidOperationException("The first page is not full: the seed is wrong.");
            }
        });
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var baseline = await SampleAsync(async () =>
        {
            await using var query = new NpgsqlCommand(
                "SELECT \"Id\", \"LastMessagePreview\" FROM \"Conversations\" WHERE \"WorkspaceId\" = @w AND \"AssigneeId\" = @me AND \"Status\" = 'open' ORDER BY \"LastActivityAt\" DESC, \"Id\" DESC LIMIT 25", connection);
            query.Parameters.AddWithValue("w", workspaceId);
            query.Parameters.AddWithValue("me", me);
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
            }
        });
        Console.WriteLine($"inbox first page: p50 {list.P50:F1} ms, p95 {list.P95:F1} ms (target p95 < 50 ms)");
        Console.WriteLine($"baseline (the bare 25-row query): p50 {baseline.P50:F1} ms, p95 {baseline.P95:F1} ms; ratio of p95s {list.P95 / baseline.P95:F1}x");
        return 0;
    }

    private static async Task<(double P50, double P95)> SampleAsync(Func<Task> work)
    {
        for (var i = 0; i < 10; i++)
        {
            await work(); // warm-up
        }
        var times = new List<double>();
        for (var i = 0; i < Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            await work();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (times[Samples / 2], times[(int)(Samples * 0.95)]);
    }

    /// <summary>A million conversations in one statement: a quarter resolved, a third unassigned, the rest spread over the 50 agents.</summary>
    private static async Task<Guid> GenerateAsync(IServiceProvider services, string connectionString, Guid workspaceId, IReadOnlyList<Guid> departments)
    {
        Guid[] agents;
        Guid contact;
        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspaceId);
            var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
            agents = [.. await db.Set<AgentState>().OrderBy(a => a.UserId).Select(a => a.UserId).ToListAsync()];
            contact = await db.Set<Contact>().Select(c => c.Id).FirstAsync();
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO "Conversations" ("Id", "WorkspaceId", "ContactId", "Channel", "DepartmentId", "AssigneeId", "Status", "Priority",
                "CreatedAt", "LastActivityAt", "LastMessagePreview", "StartSequence", "OfflineForm")
            SELECT gen_random_uuid(), @w, @contact, 'web_chat', (@departments)[1 + g % 5],
                CASE WHEN g % 3 = 0 THEN NULL ELSE (@agents)[1 + g % 50] END,
                CASE WHEN g % 4 = 0 THEN 'resolved' ELSE 'open' END, 0,
                now() - g * interval '1 second', now() - g * interval '1 second', 'message ' || g, 0, false
            FROM generate_series(1, @n) g;
            ANALYZE "Conversations";
            """, connection)
        { CommandTimeout = 600 };
        insert.Parameters.AddWithValue("w", workspaceId);
        insert.Parameters.AddWithValue("contact", contact);
        insert.Parameters.AddWithValue("departments", departments.ToArray());
        insert.Parameters.AddWithValue("agents", agents);
        insert.Parameters.AddWithValue("n", Conversations);
        await insert.ExecuteNonQueryAsync();
        return agents[1];
    }
}
