using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Layan.Features.Channels;
using Layan.Features.Channels.StandIn;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Layan.Bench;

/// <summary>
/// Issue 7, webhook ingest on one node on PostgreSQL, through real sockets: signed WhatsApp
/// payloads POSTed to a channel's webhook (signature checked, stored once, 200), against a bare
/// ASP.NET Core endpoint that reads the body and does one INSERT into the same database, in the
/// same run. (1) Throughput with 32 senders for 10 s each; (2) p50/p99 of the acknowledgement at
/// rising rates (100, 250, 500, 1,000 payloads/s, 10 s each). Targets: ≥ 60% of the baseline's
/// throughput, p99 &lt; 50 ms at 500/s. Then how fast the stored webhooks become conversations.
/// </summary>
internal static class WebhookBenchmark
{
    private const string AppSecret = "bench-app-secret";
    private const string PhoneNumberId = "100200300400";
    private const int Senders = 32;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(5);
    private static readonly int[] Rates = [100, 250, 500, 1000];

    public static async Task<int> RunAsync(string adminConnectionString)
    {
        var connectionString = await RoutingBenchmark.CreateDatabaseAsync(adminConnectionString, "layan_bench_webhooks");
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["RateLimits:WebhookPerMinute"] = "100000000",
            ["Work:Inbound:Enabled"] = "false", // the acknowledgement is what is measured; processing is timed after
        };
        await using var layan = RoutingBenchmark.Host(connectionString, settings);
        layan.UseKestrel(0);
        layan.StartServer();
        var address = new Uri(layan.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var channelId = await SeedAsync(layan.Services);
        await using var bare = await BareEndpointAsync(connectionString);

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
        var layanUrl = new Uri(address, $"/hooks/{channelId}");
        var bareUrl = new Uri(bare.Urls.First() + "/bare");
        var counter = 0;
        HttpRequestMessage Signed(Uri url)
        {
            var n = Interlocked.Increment(ref counter);
            var body = Encoding.UTF8.GetBytes(ProviderStandIn.WhatsAppText(PhoneNumberId, "62812" + (n % 100_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture), "Bench", $"wamid.bench{n}", $"message {n}", DateTimeOffset.UtcNow));
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation(MetaWebhooks.SignatureHeader, MetaWebhooks.Sign(AppSecret, body));
            return request;
        }

        // Warm both up (JIT, connection pools).
        await ClosedLoopAsync(client, () => Signed(layanUrl), TimeSpan.FromSeconds(3));
        await ClosedLoopAsync(client, () => Signed(bareUrl), TimeSpan.FromSeconds(3));

        var handshake = new Uri(address, $"/hooks/{channelId}?hub.mode=subscribe&hub.verify_token=v&hub.challenge=1");
        var pipeline = await ClosedLoopAsync(client, () => new HttpRequestMessage(HttpMethod.Get, handshake), Window);
        Console.WriteLine($"diagnostic: Layan's pipeline alone (the GET handshake, no database): {pipeline:F0}/s");
        // Alternating rounds, so drift of the shared machine falls on both sides alike; the median round counts.
        var rounds = new List<(double Layan, double Bare)>();
        for (var round = 0; round < 5; round++)
        {
            var ours = await ClosedLoopAsync(client, () => Signed(layanUrl), Round);
            var theirs = await ClosedLoopAsync(client, () => Signed(bareUrl), Round);
            rounds.Add((ours, theirs));
            Console.WriteLine($"  round {round + 1}: Layan {ours:F0}/s, bare {theirs:F0}/s, ratio {ours / theirs:P0}");
        }
        var median = rounds.OrderBy(r => r.Layan / r.Bare).ElementAt(rounds.Count / 2);
        Console.WriteLine($"throughput with {Senders} senders (median of 5 alternating rounds of 5 s): Layan {median.Layan:F0}/s, bare INSERT endpoint {median.Bare:F0}/s, ratio {median.Layan / median.Bare:P0} (target >= 60%)");
        foreach (var rate in Rates)
        {
            var ours = await OpenLoopAsync(client, () => Signed(layanUrl), rate);
            var theirs = await OpenLoopAsync(client, () => Signed(bareUrl), rate);
            Console.WriteLine($"at {rate}/s: Layan p50 {ours.P50:F1} ms, p99 {ours.P99:F1} ms ({ours.Errors} errors); bare p50 {theirs.P50:F1} ms, p99 {theirs.P99:F1} ms{(rate == 500 ? " (target Layan p99 < 50 ms)" : "")}");
        }

        // Processing: the stored webhooks into conversations, one runner pass after another.
        var stored = await CountAsync(connectionString, "SELECT count(*) FROM \"ChannelInbound\" WHERE \"State\" = 'Pending'");
        var processing = Stopwatch.StartNew();
        var runner = layan.Services.GetRequiredService<Layan.Infrastructure.Work.WorkRunner<InboundWebhook>>();
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromSeconds(60) && await runner.RunOnceAsync(CancellationToken.None) > 0)
        {
        }
        var processed = stored - await CountAsync(connectionString, "SELECT count(*) FROM \"ChannelInbound\" WHERE \"State\" = 'Pending'");
        Console.WriteLine($"processing (one runner, batches of 20): {processed:N0} of {stored:N0} stored webhooks in {processing.Elapsed.TotalSeconds:F0} s = {processed / processing.Elapsed.TotalSeconds:F0}/s into conversations");
        return 0;
    }

    /// <summary>A workspace with its Main Department and a WhatsApp channel; answers the channel's id.</summary>
    private static async Task<Guid> SeedAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        var now = DateTimeOffset.UtcNow;
        var (_, workspace) = await RoutingBenchmark.NewWorkspaceAsync(db, now);
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspace.Id);
        db.Add(Departments.MainDepartment(workspace.Id, "Main Department", now));
        var adapters = scope.ServiceProvider.GetRequiredService<ChannelAdapters>();
        var channel = new Channel
        {
            Kind = "whatsapp",
            Name = "Bench WhatsApp",
            ExternalId = PhoneNumberId,
            Credentials = adapters.Protect(new Dictionary<string, string> { [ChannelCredentials.AccessToken] = "t", [ChannelCredentials.AppSecret] = AppSecret, [ChannelCredentials.VerifyToken] = "v" }),
            IsDefault = true,
            CreatedAt = now,
        };
        db.Add(channel);
        await db.SaveChangesAsync();
        return channel.Id;
    }

    /// <summary>The baseline: read the body, one INSERT, 200, on the same PostgreSQL.</summary>
    private static async Task<WebApplication> BareEndpointAsync(string connectionString)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS bare_webhooks (id uuid PRIMARY KEY, payload text NOT NULL, received_at timestamptz NOT NULL)", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var data = NpgsqlDataSource.Create(connectionString);
        builder.Services.AddSingleton(data);
        var app = builder.Build();
        app.MapPost("/bare", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var payload = await reader.ReadToEndAsync();
            await using var insert = data.CreateCommand("INSERT INTO bare_webhooks (id, payload, received_at) VALUES ($1, $2, $3)");
            insert.Parameters.AddWithValue(Guid.CreateVersion7());
            insert.Parameters.AddWithValue(payload);
            insert.Parameters.AddWithValue(DateTime.UtcNow);
            await insert.ExecuteNonQueryAsync();
            return Results.Ok();
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>Completed requests per second with <see cref="Senders"/> senders, each sending the next as soon as the last is answered.</summary>
    private static async Task<double> ClosedLoopAsync(HttpClient client, Func<HttpRequestMessage> next, TimeSpan duration)
    {
        var done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                using var request = next();
                using var response = await client.SendAsync(request);
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref done);
            }
        })));
        return done / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Requests started at a fixed rate whatever the answers (an open loop: slow answers do not slow the senders), with each one's latency.</summary>
    private static async Task<(double P50, double P99, int Errors)> OpenLoopAsync(HttpClient client, Func<HttpRequestMessage> next, int rate)
    {
        var total = (int)(rate * Window.TotalSeconds);
        var latencies = new double[total];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var request = next();
                    using var response = await client.SendAsync(request);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }));
        }
        await Task.WhenAll(inFlight);
        Array.Sort(latencies);
        return (latencies[total / 2], latencies[(int)(total * 0.99)], errors);
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
