using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Layan.Features.Accounts;
using Layan.Features.Inbox;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Layan.Bench;

/// <summary>
/// Issue 6, the live path on one node on PostgreSQL, through real sockets (Kestrel on loopback):
/// (1) a widget message to the agent's live view (the workspace WebSocket), p50/p99 at 200
/// messages/s, against a bare INSERT + NOTIFY → LISTEN round trip from .NET at the same rate;
/// (2) N concurrent widget WebSockets (default 5,000): memory per connection against a bare
/// ASP.NET Core WebSocket endpoint holding as many, and message latency while they are connected.
/// </summary>
internal static class LiveBenchmark
{
    private const string Password = "violet tandem harbor 42";
    private static readonly int Rate = int.TryParse(Environment.GetEnvironmentVariable("LAYAN_BENCH_RATE"), out var rate) ? rate : 200;
    private const int Seconds = 15;
    private const int WarmUp = 10;

    public static async Task<int> RunAsync(string adminConnectionString, int connections)
    {
        var connectionString = await RoutingBenchmark.CreateDatabaseAsync(adminConnectionString, "layan_bench_live");
        var settings = new Dictionary<string, string>
        {
            ["RateLimits:GlobalPerMinute"] = "100000000",
            ["RateLimits:WidgetPerMinute"] = "100000000",
            ["RateLimits:AuthPerMinute"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var layan = RoutingBenchmark.Host(connectionString, settings);
        layan.UseKestrel(0);
        layan.StartServer();
        var address = new Uri(layan.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var (workspaceId, departments) = await RoutingBenchmark.SeedAsync(layan.Services);
        await RoutingBenchmark.DrainAsync(layan.Services, workspaceId, departments); // the seed's queue, so chats start on an idle router
        await AddAgentAsync(layan.Services, workspaceId);

        var cookies = new CookieContainer();
        using var agent = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies }) { BaseAddress = address };
        (await agent.PostAsJsonAsync("/api/v1/auth/login", new { email = "live@bench.example", password = Password })).EnsureSuccessStatusCode();
        using var visitors = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = address };

        // First, while the heap is quiet: the bare endpoint's memory per connection.
        var baseline = await BareSocketsAsync(connections);
        var inbound = await InboundToAgentAsync(address, workspaceId, cookies, visitors);
        var bare = await NotifyBaselineAsync(connectionString);
        Console.WriteLine($"inbound -> agent screen at {Rate} msg/s: p50 {inbound.P50:F1} ms, p99 {inbound.P99:F1} ms (target p99 < 150 ms); " +
                          $"baseline INSERT + NOTIFY -> LISTEN: p50 {bare.P50:F1} ms, p99 {bare.P99:F1} ms; ratio of p99s {inbound.P99 / bare.P99:F1}x");

        var held = await ConnectionsAsync(address, workspaceId, visitors, connections);
        Console.WriteLine($"{connections} widget connections: {held.BytesPerConnection / 1024.0:F1} KiB each (managed heap + working set delta {held.WorkingSetPerConnection / 1024.0:F1} KiB), " +
                          $"bare WebSocket endpoint {baseline.BytesPerConnection / 1024.0:F1} KiB (working set {baseline.WorkingSetPerConnection / 1024.0:F1} KiB); " +
                          $"ratio {held.WorkingSetPerConnection / Math.Max(1, baseline.WorkingSetPerConnection):F1}x");
        Console.WriteLine($"message latency with {connections} connected, {held.Rate} msg/s: p50 {held.Latency.P50:F1} ms, p99 {held.Latency.P99:F1} ms");
        return 0;
    }

    /// <summary>One Administrator who signs in with a password, online in the workspace.</summary>
    private static async Task AddAgentAsync(IServiceProvider services, Guid workspaceId)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = "live@bench.example", Email = "live@bench.example", EmailConfirmed = true, FullName = "Live", Language = "en", CreatedAt = DateTimeOffset.UtcNow };
        var created = await users.CreateAsync(user, Password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join(", ", created.Errors.Select(e => e.Code)));
        }
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        db.Add(new WorkspaceMember { WorkspaceId = workspaceId, UserId = user.Id, Role = WorkspaceRoles.Administrator, JoinedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }

    private static async Task<IReadOnlyList<(Guid Conversation, string Token)>> StartChatsAsync(HttpClient visitors, Guid workspaceId, int count)
    {
        var chats = new ConcurrentBag<(Guid, string)>();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var answer = await visitors.PostAsJsonAsync($"/api/v1/widget/{workspaceId}/conversations", new { name = $"Visitor {i}", message = "Hello" }, ct);
            answer.EnsureSuccessStatusCode();
            var body = await answer.Content.ReadFromJsonAsync<JsonElement>(ct);
            chats.Add((body.GetProperty("conversationId").GetGuid(), body.GetProperty("visitorToken").GetString()!));
        });
        return [.. chats];
    }

    private static async Task<long> LastSequenceAsync(HttpClient agent, Guid workspaceId) =>
        (await agent.GetFromJsonAsync<JsonElement>($"/api/v1/workspaces/{workspaceId}/events?after=0&wait=0")).GetProperty("lastSequence").GetInt64();

    /// <summary>Visitors write at <see cref="Rate"/>/s; the agent's socket notes when each arrives.</summary>
    private static async Task<(double P50, double P99)> InboundToAgentAsync(Uri address, Guid workspaceId, CookieContainer cookies, HttpClient visitors)
    {
        var chats = await StartChatsAsync(visitors, workspaceId, 50);
        using var agent = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies }) { BaseAddress = address };
        var after = await LastSequenceAsync(agent, workspaceId);
        using var socket = new ClientWebSocket();
        socket.Options.Cookies = cookies;
        await socket.ConnectAsync(new Uri(Ws(address), $"/api/v1/workspaces/{workspaceId}/live?after={after}"), CancellationToken.None);
        var sent = new ConcurrentDictionary<string, (int Index, long At)>();
        // The first WarmUp seconds at the same rate are the cold start (JIT, pools growing, statements
        // being prepared), reported on their own; the figure is the steady state after them.
        var warm = Rate * WarmUp;
        var total = Rate * Seconds;
        var cold = new ConcurrentBag<double>();
        var latencies = new ConcurrentBag<double>();
        using var done = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in EventsAsync(socket, done.Token))
            {
                if (e.GetProperty("type").GetString() == "message.created" && e.GetProperty("data").GetProperty("body").GetString() is { } body && sent.TryGetValue(body, out var message))
                {
                    (message.Index < warm ? cold : latencies).Add(Stopwatch.GetElapsedTime(message.At).TotalMilliseconds);
                    if (latencies.Count == total)
                    {
                        return;
                    }
                }
            }
        });
        var answered = new ConcurrentBag<double>();
        var sending = Stopwatch.StartNew();
        await PacedAsync(warm + total, Rate, async i =>
        {
            var (_, token) = chats[i % chats.Count];
            var body = $"bench-{i}";
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/widget/{workspaceId}/messages") { Content = JsonContent.Create(new { body }) };
            request.Headers.Add("X-Visitor-Token", token);
            var at = Stopwatch.GetTimestamp();
            sent[body] = (i, at);
            (await visitors.SendAsync(request)).EnsureSuccessStatusCode();
            if (i >= warm)
            {
                answered.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            }
        });
        var (answerP50, answerP99) = Percentiles(answered);
        var (coldP50, coldP99) = Percentiles(cold);
        Console.WriteLine($"{warm + total} widget messages answered in {sending.Elapsed.TotalSeconds:F1} s ({(warm + total) / sending.Elapsed.TotalSeconds:F0}/s); " +
                          $"the first {WarmUp} s from cold: p50 {coldP50:F1} ms, p99 {coldP99:F1} ms to the agent; then the POST itself p50 {answerP50:F1} ms, p99 {answerP99:F1} ms");
        done.CancelAfter(TimeSpan.FromSeconds(30));
        await reader.ContinueWith(_ => { }, TaskScheduler.Default);
        if (latencies.Count < total)
        {
            Console.WriteLine($"warning: {total - latencies.Count} of {total} messages never reached the agent's socket");
        }
        return Percentiles(latencies);
    }

    /// <summary>The floor under that path: a durable INSERT whose NOTIFY wakes a LISTEN connection, at the same rate.</summary>
    private static async Task<(double P50, double P99)> NotifyBaselineAsync(string connectionString)
    {
        await using (var setup = new NpgsqlConnection(connectionString))
        {
            await setup.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE bench_live (id bigint PRIMARY KEY, body text NOT NULL)", setup);
            await create.ExecuteNonQueryAsync();
        }
        var sent = new ConcurrentDictionary<long, long>();
        var latencies = new ConcurrentBag<double>();
        await using var listener = new NpgsqlConnection(connectionString);
        await listener.OpenAsync();
        listener.Notification += (_, n) =>
        {
            if (sent.TryGetValue(long.Parse(n.Payload, System.Globalization.CultureInfo.InvariantCulture), out var at))
            {
                latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            }
        };
        await using (var listen = new NpgsqlCommand("LISTEN bench_live", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        using var done = new CancellationTokenSource();
        var waiting = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                await listener.WaitAsync(done.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });
        var total = Rate * Seconds;
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await PacedAsync(total, Rate, async i =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            sent[i] = Stopwatch.GetTimestamp();
            await using var insert = new NpgsqlCommand("INSERT INTO bench_live VALUES (@id, 'x'); SELECT pg_notify('bench_live', @payload)", connection, transaction);
            insert.Parameters.AddWithValue("id", (long)i);
            insert.Parameters.AddWithValue("payload", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        });
        for (var wait = 0; wait < 100 && latencies.Count < total; wait++)
        {
            await Task.Delay(50);
        }
        await done.CancelAsync();
        await waiting;
        await dataSource.DisposeAsync();
        return Percentiles(latencies);
    }

    private sealed record Held(double BytesPerConnection, double WorkingSetPerConnection, int Rate, (double P50, double P99) Latency);

    /// <summary>Opens <paramref name="count"/> widget sockets (one conversation each), measures memory, then latency while they stay open.</summary>
    private static async Task<Held> ConnectionsAsync(Uri address, Guid workspaceId, HttpClient visitors, int count)
    {
        var watch = Stopwatch.StartNew();
        var chats = await StartChatsAsync(visitors, workspaceId, count);
        Console.WriteLine($"started {count} chats in {watch.Elapsed.TotalSeconds:F0} s");
        var (heap, workingSet) = Memory();
        var received = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        var sockets = new List<ClientWebSocket>();
        var readers = new List<Task>();
        using var done = new CancellationTokenSource();
        watch.Restart();
        foreach (var (_, token) in chats)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(Ws(address), $"/api/v1/widget/{workspaceId}/live"), CancellationToken.None);
            await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(new { type = "hello", token, after = 0 }), WebSocketMessageType.Text, true, CancellationToken.None);
            sockets.Add(socket);
            readers.Add(Task.Run(async () =>
            {
                await foreach (var e in EventsAsync(socket, done.Token))
                {
                    if (e.GetProperty("type").GetString() == "message.created" && e.GetProperty("data").GetProperty("body").GetString() is { } body && received.TryRemove(body, out var at))
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                    }
                }
            }));
        }
        await Task.Delay(TimeSpan.FromSeconds(5)); // every socket past its backlog
        Console.WriteLine($"opened {count} widget sockets in {watch.Elapsed.TotalSeconds:F0} s");
        var (heapAfter, workingSetAfter) = Memory();

        const int rate = 20;
        var total = rate * Seconds;
        var random = new Random(6);
        await PacedAsync(total, rate, async i =>
        {
            var (_, token) = chats[random.Next(chats.Count)];
            var body = $"held-{i}";
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/widget/{workspaceId}/messages") { Content = JsonContent.Create(new { body }) };
            request.Headers.Add("X-Visitor-Token", token);
            received[body] = Stopwatch.GetTimestamp();
            (await visitors.SendAsync(request)).EnsureSuccessStatusCode();
        });
        for (var wait = 0; wait < 200 && !received.IsEmpty; wait++)
        {
            await Task.Delay(50);
        }
        if (!received.IsEmpty)
        {
            Console.WriteLine($"warning: {received.Count} of {total} messages never came back on their socket");
        }
        await done.CancelAsync();
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
        await Task.WhenAll(readers).ContinueWith(_ => { }, TaskScheduler.Default);
        return new Held((heapAfter - heap) / (double)count, (workingSetAfter - workingSet) / (double)count, rate, Percentiles(latencies));
    }

    /// <summary>The baseline: a bare ASP.NET Core WebSocket endpoint (accept, then wait for the client) holding as many connections.</summary>
    private static async Task<Held> BareSocketsAsync(int count)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.UseWebSockets();
        app.Map("/ws", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (socket.State == WebSocketState.Open)
            {
                var frame = await socket.ReceiveAsync(buffer, context.RequestAborted).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
                if (frame is null or { MessageType: WebSocketMessageType.Close })
                {
                    return;
                }
            }
        });
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        var (heap, workingSet) = Memory();
        var sockets = new List<ClientWebSocket>();
        var readers = new List<Task>();
        using var done = new CancellationTokenSource();
        for (var i = 0; i < count; i++)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(Ws(address), "/ws"), CancellationToken.None);
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"hello\"}"), WebSocketMessageType.Text, true, CancellationToken.None);
            sockets.Add(socket);
            // the same client-side reader as Layan's sockets get, so both sides of the ratio carry it
            readers.Add(Task.Run(async () =>
            {
                await foreach (var _ in EventsAsync(socket, done.Token))
                {
                }
            }));
        }
        await Task.Delay(TimeSpan.FromSeconds(5));
        var (heapAfter, workingSetAfter) = Memory();
        await done.CancelAsync();
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
        await Task.WhenAll(readers).ContinueWith(_ => { }, TaskScheduler.Default);
        await app.StopAsync();
        return new Held((heapAfter - heap) / (double)count, (workingSetAfter - workingSet) / (double)count, 0, (0, 0));
    }

    private static async IAsyncEnumerable<JsonElement> EventsAsync(ClientWebSocket socket, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[8 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open && !cancellationToken.IsCancellationRequested)
        {
            WebSocketReceiveResult frame;
            try
            {
                frame = await socket.ReceiveAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
                yield break;
            }
            if (frame.MessageType == WebSocketMessageType.Close)
            {
                yield break;
            }
            message.Write(buffer, 0, frame.Count);
            if (!frame.EndOfMessage)
            {
                continue;
            }
            using var batch = JsonDocument.Parse(message.ToArray());
            message.SetLength(0);
            foreach (var e in batch.RootElement.GetProperty("events").EnumerateArray())
            {
                yield return e.Clone();
            }
        }
    }

    /// <summary>Starts <paramref name="send"/> for 0..total-1 at a steady <paramref name="rate"/> per second (not waiting for one to finish before the next).</summary>
    private static async Task PacedAsync(int total, int rate, Func<int, Task> send)
    {
        var start = Stopwatch.GetTimestamp();
        var running = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)rate) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            running.Add(send(i));
        }
        await Task.WhenAll(running);
    }

    private static (long Heap, long WorkingSet) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static (double P50, double P99) Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? (double.NaN, double.NaN) : (sorted[sorted.Length / 2], sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]);
    }

    private static Uri Ws(Uri http) => new UriBuilder(http) { Scheme = http.Scheme == "https" ? "wss" : "ws" }.Uri;
}
