using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Features.Inbox;
using Layan.Infrastructure.Db;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Inbox;

// Covers INB-3 and INB-4 in the running app: the modes, capacity (never exceeded, the queue
// drained when capacity frees), ★ explainable decisions for Supervisors, ★ self-healing (an
// assignee gone silent past the grace window loses the conversation to a colleague), snoozes that
// end, and on PostgreSQL many conversations arriving at once over two nodes on one database.
public sealed class RoutingTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";
    private const string Ben = "ben@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task DistributeAsync(HttpClient ana, Guid id, string mode, int capacity)
    {
        await ana.SubscribeAsync(id, "distribute_chat");
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/routing-mode", new { mode }, Ct)).EnsureSuccessStatusCode();
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/settings/inbox", new { defaultCapacity = capacity, awayAfterMinutes = 15, widgetAskName = true, widgetAskEmail = true }, Ct)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Minimum_workload_stays_within_capacity_queues_the_rest_and_explains_itself()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        await DistributeAsync(ana, id, "minimum_workload", capacity: 1);
        await ana.OnlineAsync(id);
        await ben.OnlineAsync(id);
        using var visitor = app.Browser();

        var first = await visitor.StartChatAsync(id, "first");
        var second = await visitor.StartChatAsync(id, "second");
        var third = await visitor.StartChatAsync(id, "third");

        var owners = new[] { await ana.AssigneeAsync(id, first.ConversationId), await ana.AssigneeAsync(id, second.ConversationId) };
        owners.ShouldBe([await ana.UserIdAsync(id, Ana), await ana.UserIdAsync(id, Ben)], ignoreOrder: true);
        (await ana.AssigneeAsync(id, third.ConversationId)).ShouldBeNull("both agents are at capacity");
        var queue = (await visitor.VisitorViewAsync(third)).GetProperty("queue");
        queue.GetProperty("position").GetInt32().ShouldBe(1);
        queue.GetProperty("estimatedWaitSeconds").GetInt32().ShouldBeGreaterThan(0);
        var waiting = await ana.ConversationAsync(id, third.ConversationId);
        var why = waiting.GetProperty("decisions").EnumerateArray().ShouldHaveSingleItem().GetProperty("explanation");
        why.GetProperty("reason").GetString().ShouldBe("no_candidate");
        why.GetProperty("candidates").EnumerateArray().ShouldAllBe(c => c.GetProperty("verdicts").EnumerateArray().Any(v => v.GetProperty("filter").GetString() == "capacity" && !v.GetProperty("passed").GetBoolean()));
        (await ben.ConversationAsync(id, first.ConversationId)).GetProperty("decisions").ValueKind.ShouldBe(JsonValueKind.Null, "agents do not see routing decisions");
        (await ben.PostAsync($"/api/v1/workspaces/{id}/conversations/{third.ConversationId}/take", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var anaId = await ana.UserIdAsync(id, Ana);
        var anas = owners[0] == anaId ? first : second;
        (await ana.PutAsJsonAsync($"/api/v1/workspaces/{id}/conversations/{anas.ConversationId}/status", new { status = "resolved" }, Ct)).EnsureSuccessStatusCode();

        (await ana.AssigneeAsync(id, third.ConversationId)).ShouldBe(anaId, "her freed capacity drains the queue");
        var decided = (await ana.ConversationAsync(id, third.ConversationId)).GetProperty("decisions")[0];
        decided.GetProperty("trigger").GetString().ShouldBe("agent_freed");
        decided.GetProperty("explanation").GetProperty("reason").GetString().ShouldBe("fewest_open");
    }

    [Fact]
    public async Task A_silent_assignee_loses_the_conversation_to_an_online_colleague_and_snoozes_end_on_time()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        await DistributeAsync(ana, id, "round", capacity: 5);
        await ana.OnlineAsync(id);
        using var visitor = app.Browser();
        var chat = await visitor.StartChatAsync(id);
        var anaId = await ana.UserIdAsync(id, Ana);
        (await ana.AssigneeAsync(id, chat.ConversationId)).ShouldBe(anaId);

        await ben.OnlineAsync(id);
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        (await ben.PostJsonAsync($"/api/v1/workspaces/{id}/presence/heartbeat", new { idleSeconds = 0 })).EnsureSuccessStatusCode();
        await app.SweepAsync();

        var benId = await ana.UserIdAsync(id, Ben);
        (await ana.AssigneeAsync(id, chat.ConversationId)).ShouldBe(benId);
        var decision = (await ana.ConversationAsync(id, chat.ConversationId)).GetProperty("decisions")[0];
        decision.GetProperty("explanation").GetProperty("candidates").EnumerateArray()
            .Single(c => c.GetProperty("userId").GetGuid() == anaId).GetProperty("verdicts")[0].GetProperty("passed").GetBoolean().ShouldBeFalse("Ana went offline");
        (await ana.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/presence", Ct)).GetProperty("presence").GetString().ShouldBe("offline");

        (await ben.PutAsJsonAsync($"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}/status",
            new { status = "snoozed", snoozedUntil = app.Clock.GetUtcNow().AddMinutes(30) }, Ct)).EnsureSuccessStatusCode();
        (await ben.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/presence", Ct)).GetProperty("openCount").GetInt32().ShouldBe(0);
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        (await ben.PostJsonAsync($"/api/v1/workspaces/{id}/presence/heartbeat", new { idleSeconds = 0 })).EnsureSuccessStatusCode();
        await app.SweepAsync();
        var woken = await ben.ConversationAsync(id, chat.ConversationId);
        woken.GetProperty("summary").GetProperty("status").GetString().ShouldBe("open");
        (await ben.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{id}/presence", Ct)).GetProperty("openCount").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task A_pass_is_claimed_at_once_and_one_that_no_longer_holds_is_undone_and_made_one_by_one_with_its_counters_intact()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, postgres);
        await using var app = new LayanApp(database, LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        await DistributeAsync(ana, id, "round", capacity: 5);
        var (anaId, benId) = (await ana.UserIdAsync(id, Ana), await ana.UserIdAsync(id, Ben));
        using var visitor = app.Browser();
        async Task<List<Guid>> QueueAsync(int chats)
        {
            var ids = new List<Guid>();
            for (var i = 0; i < chats; i++)
            {
                ids.Add((await visitor.StartChatAsync(id, $"chat {i}")).ConversationId);
            }
            return ids;
        }
        async Task<List<Guid?>> OwnersAsync(List<Guid> chats)
        {
            var owners = new List<Guid?>();
            foreach (var chat in chats)
            {
                owners.Add(await ana.AssigneeAsync(id, chat));
            }
            return owners;
        }
        // Every UPDATE statement on the conversations is counted (a rolled-back one uncounted with it).
        await using var db = database.CreateContext();
        foreach (var sql in new[]
        {
            "CREATE TABLE claim_statements (n int)",
            "CREATE FUNCTION count_claims() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO claim_statements VALUES (1); RETURN NULL; END $$",
            "CREATE TRIGGER count_claims AFTER UPDATE ON \"Conversations\" FOR EACH STATEMENT EXECUTE FUNCTION count_claims()",
        })
        {
            await db.Database.ExecuteSqlRawAsync(sql, Ct);
        }
        async Task<int> ClaimStatementsAsync() => await db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM claim_statements").SingleAsync(Ct);

        var first = await QueueAsync(3);
        await db.Database.ExecuteSqlRawAsync("TRUNCATE claim_statements", Ct);
        await ana.OnlineAsync(id);
        (await OwnersAsync(first)).ShouldAllBe(owner => owner == anaId);
        (await ClaimStatementsAsync()).ShouldBe(1, "the three claimed in one statement");

        await ana.OnlineAsync(id, "offline");
        var second = await QueueAsync(3);
        // The middle one is taken by someone else between the pass's plan and its claim: here the database skips its update.
        var skip = $"CREATE FUNCTION skip_claim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.\"AssigneeId\" IS NULL AND NEW.\"AssigneeId\" IS NOT NULL AND NEW.\"Id\" = '{second[1]}' THEN RETURN NULL; END IF; RETURN NEW; END $$";
        await db.Database.ExecuteSqlRawAsync(skip, Ct);
        await db.Database.ExecuteSqlRawAsync("CREATE TRIGGER skip_claim BEFORE UPDATE ON \"Conversations\" FOR EACH ROW EXECUTE FUNCTION skip_claim()", Ct);
        await db.Database.ExecuteSqlRawAsync("TRUNCATE claim_statements", Ct);
        await ben.OnlineAsync(id);
        (await OwnersAsync(second)).ShouldBe([benId, null, benId], "made one by one, the refused one skipped");
        (await ClaimStatementsAsync()).ShouldBe(3, "the undone statement, then one a conversation");
        (await db.Set<AgentState>().IgnoreQueryFilters().Where(a => a.UserId == benId).Select(a => a.OpenCount).SingleAsync(Ct)).ShouldBe(2, "the undone plan left no count behind");
        var decisions = await db.Set<RoutingDecision>().IgnoreQueryFilters().Where(d => d.WinnerId == benId).Select(d => d.ConversationId).ToListAsync(Ct);
        decisions.Order().ShouldBe(new[] { second[0], second[2] }.Order(), "one decision for each assignment, none from the undone plan");

        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER skip_claim ON \"Conversations\"", Ct);
        await ana.OnlineAsync(id);
        (await ana.AssigneeAsync(id, second[1])).ShouldNotBeNull();
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Two_agents_taking_one_conversation_at_once_never_both_get_it(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database, LayanApp.ManualTimers);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        using var ben = await app.JoinAsync(ana, id, Ben, "agent");
        using var visitor = app.Browser();

        for (var round = 0; round < 5; round++)
        {
            var chat = await visitor.StartChatAsync(id, $"question {round}");
            var path = $"/api/v1/workspaces/{id}/conversations/{chat.ConversationId}/take";
            var answers = await Task.WhenAll(ana.PostAsync(path, null, Ct), ben.PostAsync(path, null, Ct));
            answers.Count(a => a.IsSuccessStatusCode).ShouldBeGreaterThanOrEqualTo(1);
            var owner = await ana.AssigneeAsync(id, chat.ConversationId);
            owner.ShouldNotBeNull();
        }
        await using var scope = app.Scope();
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        var states = await db.Set<AgentState>().IgnoreQueryFilters().ToListAsync(Ct);
        var owned = await db.Set<Conversation>().IgnoreQueryFilters().GroupBy(c => c.AssigneeId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(Ct);
        foreach (var state in states)
        {
            state.OpenCount.ShouldBe(owned.SingleOrDefault(o => o.Key == state.UserId)?.Count ?? 0, "the load counter matches what the agent holds");
        }
    }

    [Fact]
    public async Task Conversations_arriving_at_once_over_two_node_processes_are_each_assigned_once_evenly_within_capacity_and_the_rest_when_capacity_frees()
    {
        const int Agents = 20;
        const int Chats = 2000;
        const int Capacity = 95; // 1,900 seats: 100 chats wait in the queue
        const int Freed = 5; // each agent resolves this many
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, postgres);
        var limits = new Dictionary<string, string?>
        {
            ["RateLimits:AuthPerMinute"] = "1000",
            ["RateLimits:WidgetPerMinute"] = "100000",
            ["RateLimits:GlobalPerMinute"] = "100000",
        };
        // The workspace is set up on an in-process node (it reads the invitation emails), on the day's real time.
        var setupSettings = LayanApp.ManualTimers;
        foreach (var (key, value) in limits)
        {
            setupSettings[key] = value;
        }
        await using var setup = new LayanApp(database, setupSettings, clock: new ManualClock(DateTimeOffset.UtcNow));
        using var owner = setup.Browser();
        await setup.RegisterVerifiedAsync(owner, Ana);
        var id = await setup.ActiveWorkspaceAsync(owner, Ana);
        await DistributeAsync(owner, id, "round", Capacity);
        var emails = new List<string> { Ana };
        for (var i = 1; i < Agents; i++)
        {
            emails.Add($"agent{i}@example.com");
            (await setup.JoinAsync(owner, id, emails[^1], "agent", fullName: $"Agent {i}")).Dispose();
        }

        // Two real nodes: processes of the app's own build with their own clocks, pools and runners.
        var nodeSettings = new Dictionary<string, string?>(limits) { ["Inbox:SweepInterval"] = "00:00:02", ["Inbox:PresenceGrace"] = "00:10:00" };
        var started = await Task.WhenAll(LayanProcess.StartAsync(database, nodeSettings, Ct), LayanProcess.StartAsync(database, nodeSettings, Ct));
        await using var node1 = started[0];
        await using var node2 = started[1];
        var agents = new List<HttpClient>();
        foreach (var (email, i) in emails.Select((e, i) => (e, i)))
        {
            var agent = (i % 2 == 0 ? node1 : node2).Client(cookies: true);
            (await agent.LoginAsync(email)).EnsureSuccessStatusCode();
            await agent.OnlineAsync(id);
            agents.Add(agent);
        }
        using var visitor1 = node1.Client();
        using var visitor2 = node2.Client();

        await Parallel.ForAsync(0, Chats, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, _) =>
            await (i % 2 == 0 ? visitor1 : visitor2).StartChatAsync(id, $"chat {i}"));

        await using var db = database.CreateContext();
        var conversations = db.Set<Conversation>().IgnoreQueryFilters().Where(c => c.WorkspaceId == id);
        await Eventually.Until(() => conversations.CountAsync(c => c.AssigneeId != null, Ct), n => n == Agents * Capacity, "every seat taken", timeoutSeconds: 120);
        await AssertEvenAsync(db, id, Agents, Capacity, Chats);
        (await conversations.CountAsync(c => c.AssigneeId == null, Ct)).ShouldBe(Chats - (Agents * Capacity), "the rest wait in the queue");

        // Capacity frees: each agent resolves some of theirs on the node they signed in on; the queue drains into the seats.
        var ids = await db.Users.Where(u => emails.Contains(u.Email!)).ToDictionaryAsync(u => u.Email!, u => u.Id, Ct);
        await Parallel.ForAsync(0, Agents, Ct, async (i, _) =>
        {
            var userId = ids[emails[i]];
            await using var own = database.CreateContext();
            foreach (var conversation in await own.Set<Conversation>().IgnoreQueryFilters().Where(c => c.AssigneeId == userId).Select(c => c.Id).Take(Freed).ToListAsync(Ct))
            {
                (await agents[i].PutAsJsonAsync($"/api/v1/workspaces/{id}/conversations/{conversation}/status", new { status = "resolved" }, Ct)).EnsureSuccessStatusCode();
            }
        });
        await Eventually.Until(() => conversations.CountAsync(c => c.AssigneeId == null, Ct), n => n == 0, "the queue drained", timeoutSeconds: 60);
        await AssertEvenAsync(db, id, Agents, Capacity, Chats);
        (await conversations.CountAsync(c => c.Status == ConversationStatus.Resolved, Ct)).ShouldBe(Agents * Freed);
        foreach (var agent in agents)
        {
            agent.Dispose();
        }
    }

    // Every conversation won once, nobody over capacity, the rotation even, the load counters true to the open conversations held.
    private static async Task AssertEvenAsync(LayanDbContext db, Guid id, int agents, int capacity, int chats)
    {
        db.ChangeTracker.Clear();
        var conversations = await db.Set<Conversation>().IgnoreQueryFilters().AsNoTracking().Where(c => c.WorkspaceId == id).ToListAsync(Ct);
        conversations.Count.ShouldBe(chats);
        var open = conversations.Where(c => c.AssigneeId != null && c.Status != ConversationStatus.Resolved).GroupBy(c => c.AssigneeId).Select(g => g.Count()).ToList();
        open.Count.ShouldBe(agents);
        open.ShouldAllBe(n => n == capacity, "round distribution fills every seat evenly and none beyond capacity");
        var decisions = await db.Set<RoutingDecision>().IgnoreQueryFilters().Where(d => d.WorkspaceId == id && d.WinnerId != null).GroupBy(d => d.ConversationId).Select(g => g.Count()).ToListAsync(Ct);
        decisions.Count.ShouldBe(conversations.Count(c => c.AssigneeId != null));
        decisions.ShouldAllBe(n => n == 1, "each conversation was assigned exactly once");
        var states = await db.Set<AgentState>().IgnoreQueryFilters().AsNoTracking().Where(a => a.WorkspaceId == id).ToListAsync(Ct);
        states.Sum(s => s.OpenCount).ShouldBe(agents * capacity);
        states.ShouldAllBe(s => s.OpenCount <= capacity);
    }
}
