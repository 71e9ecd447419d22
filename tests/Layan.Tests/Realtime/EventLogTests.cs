using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Layan.Features.Inbox;
using Layan.Features.Realtime;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Realtime;

// Covers ★ gap-free realtime: every event of a workspace gets the next number, with no gap and no
// duplicate even when many are written at once (SQLite and PostgreSQL); a client that comes back
// with its last number gets exactly what it missed, by long poll or over a WebSocket dropped
// mid-stream; a number the workspace never reached answers "resync"; only members read. Many
// listeners share one reader per workspace (EventFeeds) and still get exactly their events, whether
// the feed holds them or they are older than it.
public sealed class EventLogTests(PostgresServer postgres)
{
    private const string Ana = "ana@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task AppendAsync(LayanApp app, Guid workspace, int count)
    {
        await Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (n, ct) =>
        {
            await using var scope = app.Scope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspace);
            await scope.ServiceProvider.GetRequiredService<EventLog>().AppendAsync("test.ping", new { n }, ct);
        });
    }

    private static async Task<JsonElement> PollAsync(HttpClient client, Guid workspace, long after, int wait = 0) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{workspace}/events?after={after}&wait={wait}", Ct);

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Events_written_at_once_are_numbered_without_gaps_and_read_back_exactly_after_a_number(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        await AppendAsync(app, id, 60);

        var all = await PollAsync(ana, id, 0);
        all.GetProperty("lastSequence").GetInt64().ShouldBe(60);
        all.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ShouldBe(Enumerable.Range(1, 60).Select(n => (long)n));
        all.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("n").GetInt32()).Order().ShouldBe(Enumerable.Range(1, 60));
        var missed = await PollAsync(ana, id, 57);
        missed.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ShouldBe([58L, 59L, 60L]);
        var ahead = await PollAsync(ana, id, 61);
        ahead.GetProperty("resync").GetBoolean().ShouldBeTrue();
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Events_appended_in_a_transaction_are_numbered_in_order_with_its_work_and_a_rollback_uses_no_number(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        var start = (await PollAsync(ana, id, 0)).GetProperty("lastSequence").GetInt64();

        async Task<Guid> InTransactionAsync(bool commit, params string[] types)
        {
            await using var scope = app.Scope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(id);
            var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            var contact = new Contact { Name = string.Join("+", types), CreatedAt = DateTimeOffset.UtcNow };
            db.Add(contact); // the transaction's own work, not saved yet when the events are appended
            var last = await scope.ServiceProvider.GetRequiredService<EventLog>().AppendManyAsync([.. types.Select(t => (t, (object)new { t }))], Ct);
            last.ShouldBe(start + types.Length);
            if (commit)
            {
                await transaction.CommitAsync(Ct);
            }
            return contact.Id;
        }

        var kept = await InTransactionAsync(commit: true, "test.a", "test.b", "test.c");
        start += 3;
        var undone = await InTransactionAsync(commit: false, "test.undone");
        await InTransactionAsync(commit: true, "test.d"); // the number the rollback took is given again

        var all = await PollAsync(ana, id, start - 3);
        all.GetProperty("events").EnumerateArray().Select(e => (e.GetProperty("seq").GetInt64(), e.GetProperty("type").GetString(), e.GetProperty("data").GetProperty("t").GetString()))
            .ShouldBe([(start - 2, "test.a", "test.a"), (start - 1, "test.b", "test.b"), (start, "test.c", "test.c"), (start + 1, "test.d", "test.d")]);
        all.GetProperty("lastSequence").GetInt64().ShouldBe(start + 1);
        await using var check = app.Scope();
        var contacts = check.ServiceProvider.GetRequiredService<LayanDbContext>().Set<Contact>().IgnoreQueryFilters();
        (await contacts.AnyAsync(c => c.Id == kept, Ct)).ShouldBeTrue();
        (await contacts.AnyAsync(c => c.Id == undone, Ct)).ShouldBeFalse();
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Listeners_sharing_the_workspace_s_feed_each_get_exactly_the_events_after_their_number(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var app = new LayanApp(database);
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        await AppendAsync(app, id, 40);
        var start = (await PollAsync(ana, id, 0)).GetProperty("lastSequence").GetInt64();

        // 30 listeners from every number up to now (the oldest from before the feed existed) wait
        // while 40 more events are written; each follows the stream to the end.
        using var lease = app.Services.GetRequiredService<EventFeeds>().Join(id);
        var listeners = Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
        {
            await using var scope = app.Scope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(id);
            var log = scope.ServiceProvider.GetRequiredService<EventLog>();
            var after = start - i;
            var seen = new List<long>();
            while (after < start + 40)
            {
                var batch = await log.WaitAsync(id, after, TimeSpan.FromSeconds(10), null, Ct);
                batch.Resync.ShouldBeFalse();
                seen.AddRange(batch.Events.Select(e => e.Seq));
                after = batch.Events.Count > 0 ? batch.Events[^1].Seq : after;
            }
            return (From: start - i, Seen: seen);
        }, Ct)).ToList();
        await Task.Delay(200, Ct);
        await AppendAsync(app, id, 40);

        foreach (var (from, seen) in await Task.WhenAll(listeners).WaitAsync(TimeSpan.FromSeconds(30), Ct))
        {
            seen.ShouldBe(Enumerable.Range((int)from + 1, (int)(start + 40 - from)).Select(n => (long)n), $"after {from}");
        }
        lease.Feed.TryRead(start + 39)!.Events.ShouldHaveSingleItem().Seq.ShouldBe(start + 40, "the feed holds the newest events");
    }

    [Fact]
    public async Task A_long_poll_returns_as_soon_as_an_event_commits()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        var waiting = PollAsync(ana, id, 0, wait: 20);
        await Task.Delay(300, Ct);
        waiting.IsCompleted.ShouldBeFalse("nothing has happened yet");
        (await ana.PostJsonAsync($"/api/v1/workspaces/{id}/invitations", new { email = "ben@example.com", role = "agent" })).EnsureSuccessStatusCode();
        var token = OnboardingFlows.TokenIn((await app.EmailsToAsync("ben@example.com"))[^1].TextBody);
        using var ben = app.Browser();
        await app.RegisterVerifiedAsync(ben, "ben@example.com", fullName: "Ben Okafor");
        (await ben.PostJsonAsync("/api/v1/invitations/accept", new { token })).EnsureSuccessStatusCode();

        var batch = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        batch.GetProperty("events").EnumerateArray().ShouldHaveSingleItem().GetProperty("type").GetString().ShouldBe("member.joined");
    }

    [Fact]
    public async Task On_PostgreSQL_a_commit_on_one_node_wakes_a_long_poll_on_another_at_once()
    {
        await using var database = await TestDatabase.CreateAsync(Provider.Postgres, postgres);
        // The table re-check is pushed out of reach: only NOTIFY can end the wait in time.
        var settings = new Dictionary<string, string?> { ["Realtime:RecheckInterval"] = "00:02:00" };
        await using var node1 = new LayanApp(database, settings);
        using var ana = node1.Browser();
        await node1.RegisterVerifiedAsync(ana, Ana);
        var id = await node1.ActiveWorkspaceAsync(ana, Ana);
        await using var node2 = new LayanApp(database, settings, clock: node1.Clock);
        using var onNode2 = node2.Browser();
        (await onNode2.LoginAsync(Ana)).EnsureSuccessStatusCode();
        var last = (await PollAsync(onNode2, id, 0)).GetProperty("lastSequence").GetInt64();
        await Task.Delay(1000, Ct); // node 2's listener is up

        var waiting = PollAsync(onNode2, id, last, wait: 25);
        await Task.Delay(300, Ct);
        await AppendAsync(node1, id, 1);

        var batch = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        batch.GetProperty("events").EnumerateArray().ShouldHaveSingleItem().GetProperty("seq").GetInt64().ShouldBe(last + 1);
    }

    [Fact]
    public async Task A_socket_dropped_mid_stream_resumes_with_exactly_the_missed_events()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        var id = await app.ActiveWorkspaceAsync(ana, Ana);
        var cookie = await SessionCookieAsync(app);
        await AppendAsync(app, id, 5);

        var first = await ReceiveAsync(app, cookie, id, after: 0, frames: 1);
        var seen = first.SelectMany(b => b.GetProperty("events").EnumerateArray()).Select(e => e.GetProperty("seq").GetInt64()).ToList();
        seen.ShouldBe([1L, 2L, 3L, 4L, 5L]);
        // The connection is gone; more happens meanwhile.
        await AppendAsync(app, id, 3);
        var resumed = await ReceiveAsync(app, cookie, id, after: seen[^1], frames: 1);
        resumed.SelectMany(b => b.GetProperty("events").EnumerateArray()).Select(e => e.GetProperty("seq").GetInt64()).ShouldBe([6L, 7L, 8L]);
    }

    [Fact]
    public async Task Only_members_read_a_workspace_s_events()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var ana = app.Browser();
        using var ben = app.Browser();
        await app.RegisterVerifiedAsync(ana, Ana);
        await app.RegisterVerifiedAsync(ben, "ben@example.com", fullName: "Ben Okafor");
        var id = await app.ActiveWorkspaceAsync(ana, Ana);

        (await ben.GetAsync($"/api/v1/workspaces/{id}/events?after=0", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Browser().GetAsync($"/api/v1/workspaces/{id}/events?after=0", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    // A WebSocket client brings the session cookie itself, as a browser does.
    private static async Task<string> SessionCookieAsync(LayanApp app)
    {
        using var raw = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        var response = await raw.LoginAsync(Ana);
        response.EnsureSuccessStatusCode();
        return string.Join("; ", response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
    }

    private static async Task<List<JsonElement>> ReceiveAsync(LayanApp app, string cookie, Guid workspace, long after, int frames)
    {
        var client = app.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers.Cookie = cookie;
        using var socket = await client.ConnectAsync(new Uri(app.Server.BaseAddress, $"/api/v1/workspaces/{workspace}/live?after={after}"), Ct);
        var received = new List<JsonElement>();
        var buffer = new byte[64 * 1024];
        while (received.Count < frames)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            received.Add(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement.Clone());
        }
        socket.Abort(); // dropped, not closed: the client just goes
        return received;
    }
}
