using System.Globalization;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Events;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Layan.Features.Realtime;

/// <summary>
/// INB-4's fan-out between nodes on PostgreSQL: one connection per node LISTENs on
/// <see cref="Channel"/>; every committed event (NOTIFY <c>workspace:sequence</c>, sent inside the
/// event's transaction) wakes this node's readers of that workspace, who then read the event from
/// the table. A notification lost while reconnecting costs at most the re-check interval.
/// </summary>
internal sealed partial class PostgresEventListener(
    IConfiguration configuration, IOptions<DatabaseOptions> database, IEventBus bus, ILogger<PostgresEventListener> logger) : BackgroundService
{
    public const string Channel = "layan_events";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres || configuration.GetConnectionString("Layan") is not { Length: > 0 } connectionString)
        {
            return;
        }
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Its own physical connection, never pooled: a LISTEN must not outlive it in a pool.
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
                connection.Notification += (_, e) => Wake(e.Payload);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                delay = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                LogListenFailed(logger, e, delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
            }
        }
    }

    private void Wake(string payload)
    {
        var parts = payload.Split(':');
        if (parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out var workspaceId) && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            // A wake-up only: readers take the event itself from the table, in order.
            var publishing = bus.PublishAsync(new WorkspaceEvent(workspaceId, sequence, "", ""));
            if (!publishing.IsCompleted)
            {
                publishing.AsTask().GetAwaiter().GetResult(); // the notification callback is synchronous
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for events on PostgreSQL failed; retrying in {Delay}.")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, TimeSpan delay);
}
