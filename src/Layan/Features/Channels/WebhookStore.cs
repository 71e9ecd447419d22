using System.Data.Common;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Work;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Layan.Features.Channels;

/// <summary>
/// CH-4's one write before the acknowledgement: an INSERT … ON CONFLICT DO NOTHING straight on
/// the provider's connection pool, with no unit of work around it (a webhook is the hottest public
/// endpoint; building a DbContext per delivery cost more than the write). Values are written as the
/// model stores them: UTC timestamps, and on SQLite upper-case text GUIDs like EF's.
/// </summary>
internal sealed class WebhookStore : IAsyncDisposable
{
    private const string Insert =
        """INSERT INTO "ChannelInbound" ("Id", "Kind", "Payload", "WorkspaceId", "State", "CreatedAt", "DueAt", "Attempts", "ChannelId", "DedupKey") """ +
        """VALUES (@id, @kind, @payload, @workspace, @state, @now, @now, 0, @channel, @dedup) ON CONFLICT ("ChannelId", "DedupKey") DO NOTHING""";

    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;
    private readonly WorkSignal<InboundWebhook> _signal;
    private readonly TimeProvider _clock;

    public WebhookStore(IOptions<DatabaseOptions> database, IConfiguration configuration, IOptions<StorageOptions> storage, WorkSignal<InboundWebhook> signal, TimeProvider clock)
    {
        _signal = signal;
        _clock = clock;
        if (database.Value.Provider == DatabaseProvider.Postgres)
        {
            _postgres = NpgsqlDataSource.Create(configuration.GetConnectionString("Layan")!);
        }
        else
        {
            _sqlite = DatabaseModule.SqliteConnectionString(storage.Value.PathFor("layan.db"));
        }
    }

    /// <summary>Stores one webhook for a channel, once per dedup key; true when it was new.</summary>
    public async Task<bool> StoreAsync(Guid channelId, Guid workspaceId, string dedupKey, string payload, CancellationToken cancellationToken)
    {
        await using var connection = _postgres is not null ? (DbConnection)await _postgres.OpenConnectionAsync(cancellationToken) : new SqliteConnection(_sqlite);
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(cancellationToken);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = Insert;
        var sqlite = _postgres is null;
        Add(command, "id", Id(Guid.CreateVersion7(), sqlite));
        Add(command, "kind", WebhookEndpoints.InboundKind);
        Add(command, "payload", payload);
        Add(command, "workspace", Id(workspaceId, sqlite));
        Add(command, "state", nameof(WorkState.Pending));
        Add(command, "now", _clock.GetUtcNow().UtcDateTime);
        Add(command, "channel", Id(channelId, sqlite));
        Add(command, "dedup", dedupKey);
        var stored = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        if (stored)
        {
            _signal.Notify();
        }
        return stored;
    }

    private static object Id(Guid id, bool sqlite) => sqlite ? id.ToString().ToUpperInvariant() : id;

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;
}
