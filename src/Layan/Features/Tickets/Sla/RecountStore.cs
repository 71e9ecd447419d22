using System.Text.Json;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Layan.Features.Tickets.Sla;

/// <summary>One clock counted again: its new due, and when it breaches and warns (null: it does not, or did already).</summary>
internal sealed record CountedClock(Guid Id, DateTime Due, DateTime? BreachAt, DateTime? WarnAt);

/// <summary>
/// Reads the clocks <see cref="SlaEngine.RecountAsync"/> counts again, a batch at a time, and writes
/// what it counted, in the caller's transaction: the new due and warning instants on the clock
/// rows, and the timer of every second they fall in (<see cref="SlaSecond"/>), brought forward to
/// the earliest of its clocks, armed again if it already ran, made where there is none. The
/// timers' keys and payloads are the ones <see cref="SlaEngine"/> gives them.
/// </summary>
internal abstract class RecountStore(LayanDbContext db, string workspace, DateTime now) : IAsyncDisposable
{
    /// <summary>Clocks per batch: what is in memory at once.</summary>
    public const int Batch = 2000;

    // The running, unpaused clocks of one policy's open tickets.
    protected const string Clocks =
        "SELECT c.\"Id\" AS \"Id\", c.\"Target\" AS \"Target\", c.\"StartedAt\" AS \"StartedAt\", c.\"Pauses\" AS \"Pauses\", " +
        "c.\"WarnedAt\" AS \"WarnedAt\", c.\"BreachedAt\" AS \"BreachedAt\", t.\"Severity\" AS \"Severity\", t.\"Priority\" AS \"Priority\", t.\"DepartmentId\" AS \"DepartmentId\" " +
        "FROM \"TicketSlaClocks\" c JOIN \"Tickets\" t ON t.\"Id\" = c.\"TicketId\" " +
        "WHERE t.\"PolicyId\" = {0} AND t.\"Status\" NOT IN ('resolved', 'closed') AND c.\"MetAt\" IS NULL AND NOT c.\"Stopped\" AND c.\"PausedSince\" IS NULL";

    protected LayanDbContext Db => db;

    protected string Workspace => workspace;

    protected DateTime Now => now;

    public static RecountStore For(LayanDbContext db, string workspace, DateTime now) =>
        db.Database.IsNpgsql() ? new PostgresRecountStore(db, workspace, now) : new StatementRecountStore(db, workspace, now);

    /// <summary>The policy's next batch of clocks; empty when all have been read.</summary>
    public abstract Task<List<ClockRow>> NextAsync(Guid policyId, CancellationToken cancellationToken);

    /// <summary>A batch, as it is counted.</summary>
    public abstract Task AddAsync(IReadOnlyList<CountedClock> clocks, CancellationToken cancellationToken);

    /// <summary>Everything added so far is in the tables when this returns.</summary>
    public abstract Task FlushAsync(CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // A clock met, paused or stopped by a request while the recount ran keeps having no due.
    protected const string StillRunning = " AND \"TicketSlaClocks\".\"MetAt\" IS NULL AND NOT \"TicketSlaClocks\".\"Stopped\" AND \"TicketSlaClocks\".\"PausedSince\" IS NULL";
}

/// <summary>
/// PostgreSQL: the clocks stream from one query on a connection of their own, read a batch ahead,
/// so the database reads the next batch while this one is counted and written (the edit's
/// transaction changed none of the rows read: calendars, policies and department calendars come
/// from the caller's unit of work). Each counted batch is streamed with binary <c>COPY</c> into a
/// temporary table (no SQL text per row, no parameters to bind), and every 50,000 clocks a flush
/// applies them set-based, the shape of a bare bulk UPDATE.
/// </summary>
internal sealed class PostgresRecountStore(LayanDbContext db, string workspace, DateTime now) : RecountStore(db, workspace, now)
{
    private const string Table = "sla_recount";

    // Applied this often, so that no statement runs long (a million at once outlasts a command timeout).
    private const int FlushEvery = 50_000;
    private Guid? _open;
    private NpgsqlConnection? _reading;
    private NpgsqlCommand? _command;
    private NpgsqlDataReader? _reader;
    private bool _exhausted;
    private Task<List<ClockRow>>? _ahead;
    private bool _created;
    private int _pending;

    public override async Task<List<ClockRow>> NextAsync(Guid policyId, CancellationToken cancellationToken)
    {
        if (_open != policyId)
        {
            await CloseAsync();
            _reading = new NpgsqlConnection(Db.Database.GetConnectionString());
            await _reading.OpenAsync(cancellationToken);
            _command = new NpgsqlCommand(Clocks.Replace("{0}", "@policy", StringComparison.Ordinal), _reading) { CommandTimeout = 0 };
            _command.Parameters.AddWithValue("policy", policyId);
            _reader = await _command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
            _exhausted = false;
            _open = policyId;
            _ahead = ReadAsync(_reader, cancellationToken);
        }
        var batch = await _ahead!;
        if (batch.Count == 0)
        {
            _exhausted = true;
            await CloseAsync();
            return batch;
        }
        _ahead = ReadAsync(_reader!, cancellationToken);
        return batch;
    }

    private static async Task<List<ClockRow>> ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var batch = new List<ClockRow>(Batch);
        while (batch.Count < Batch && await reader.ReadAsync(cancellationToken))
        {
            batch.Add(new ClockRow(
                reader.GetGuid(0), reader.GetString(1), reader.GetDateTime(2), reader.GetString(3),
                await NullableAsync<DateTime>(reader, 4, cancellationToken), await NullableAsync<DateTime>(reader, 5, cancellationToken),
                reader.GetInt32(6), reader.GetString(7), await NullableAsync<Guid>(reader, 8, cancellationToken)));
        }
        return batch;
    }

    private static async Task<T?> NullableAsync<T>(NpgsqlDataReader reader, int ordinal, CancellationToken cancellationToken)
        where T : struct =>
        await reader.IsDBNullAsync(ordinal, cancellationToken) ? null : reader.GetFieldValue<T>(ordinal);

    private async Task CloseAsync()
    {
        if (_ahead is not null)
        {
            // A read in flight finishes (or fails) before its reader goes.
            await _ahead.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            _ahead = null;
        }
        try
        {
            if (_reader is not null)
            {
                if (!_exhausted)
                {
                    // Given up half way (the recount failed or was cancelled): the rest is not read off the wire.
                    _command!.Cancel();
                }
                await _reader.DisposeAsync();
            }
        }
        catch (Exception) when (!_exhausted)
        {
            // The cancelled query's own error; the recount's is the one that counts.
        }
        finally
        {
            _reader = null;
            if (_command is not null)
            {
                await _command.DisposeAsync();
                _command = null;
            }
            if (_reading is not null)
            {
                await _reading.DisposeAsync();
                _reading = null;
            }
        }
        _open = null;
    }

    public override async ValueTask DisposeAsync()
    {
        await CloseAsync();
        await base.DisposeAsync();
    }

    public override async Task AddAsync(IReadOnlyList<CountedClock> clocks, CancellationToken cancellationToken)
    {
        if (clocks.Count == 0)
        {
            return;
        }
        var connection = (NpgsqlConnection)Db.Database.GetDbConnection();
        if (!_created)
        {
            // Dropped with the transaction; emptied in case an earlier recount of this transaction left rows.
            const string Create = $"CREATE TEMP TABLE IF NOT EXISTS {Table} (id uuid NOT NULL, due timestamptz NOT NULL, breach timestamptz, warn timestamptz) ON COMMIT DROP; TRUNCATE {Table}";
            await Db.Database.ExecuteSqlRawAsync(Create, cancellationToken);
            _created = true;
        }
        // Disposed before anything else runs on the connection (until then it is in the COPY state).
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {Table} (id, due, breach, warn) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var clock in clocks)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(clock.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(clock.Due, NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteNullableAsync(copy, clock.BreachAt, cancellationToken);
                await WriteNullableAsync(copy, clock.WarnAt, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        _pending += clocks.Count;
        if (_pending >= FlushEvery)
        {
            await FlushAsync(cancellationToken);
        }
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, DateTime? value, CancellationToken cancellationToken)
    {
        if (value is { } instant)
        {
            await copy.WriteAsync(instant, NpgsqlDbType.TimestampTz, cancellationToken);
        }
        else
        {
            await copy.WriteNullAsync(cancellationToken);
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending == 0)
        {
            return;
        }
        // By the primary key, row by row: left to itself the planner hashes the whole table for every
        // 50,000 (a scan of the million each time, and a JIT compile), which took longer than the writes.
        const string ByKey = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL jit = off";
        await Db.Database.ExecuteSqlRawAsync(ByKey, cancellationToken);
        const string Dues = $"UPDATE \"TicketSlaClocks\" SET \"DueAt\" = r.due, \"WarnAt\" = r.warn FROM {Table} r WHERE \"TicketSlaClocks\".\"Id\" = r.id{StillRunning}";
        await Db.Database.ExecuteSqlRawAsync(Dues, cancellationToken);
        foreach (var (kind, column) in new[] { (SlaEngine.BreachKind, "breach"), (SlaEngine.WarningKind, "warn") })
        {
            // One timer per second ("{workspace}:{kind}:{Unix seconds}", payload SlaSecond's JSON), at the earliest of its clocks.
            var sql = $"INSERT INTO \"DueWork\" {SharedTimers.Columns} SELECT gen_random_uuid(), {{0}}, json_build_object('second', s.second)::text, {{1}} || s.second, s.due, {{2}}, {{3}}, 'Pending', 0 " +
                $"FROM (SELECT floor(extract(epoch FROM r.{column}))::bigint AS second, min(r.{column}) AS due FROM {Table} r WHERE r.{column} IS NOT NULL GROUP BY 1) s{SharedTimers.KeepEarliest}";
            await Db.Database.ExecuteSqlRawAsync(sql, [kind, $"{Workspace}:{kind}:", Guid.ParseExact(Workspace, "N"), Now], cancellationToken);
        }
        Db.SharedTimers.Written();
        // The rest of the edit's transaction plans as usual.
        const string Empty = $"TRUNCATE {Table}; RESET enable_hashjoin; RESET enable_mergejoin; RESET jit";
        await Db.Database.ExecuteSqlRawAsync(Empty, cancellationToken);
        _pending = 0;
    }
}

/// <summary>SQLite (and any other): clocks read in id order after the last one read, each batch written at once as multi-row statements.</summary>
internal sealed class StatementRecountStore(LayanDbContext db, string workspace, DateTime now) : RecountStore(db, workspace, now)
{
    // Rows per statement: three parameters each for dues, four for timers; well inside SQLite's limit.
    private const int RowsPerStatement = 500;

    // By the primary key's index (the stored text's order, which agrees with its own ">").
    private const string After = Clocks + " AND c.\"Id\" > {1} ORDER BY c.\"Id\" LIMIT {2}";

    private (Guid Policy, Guid Last)? _read;

    public override async Task<List<ClockRow>> NextAsync(Guid policyId, CancellationToken cancellationToken)
    {
        var after = _read is { } read && read.Policy == policyId ? read.Last : Guid.Empty;
        var batch = await Db.Database.SqlQueryRaw<ClockRow>(After, policyId, after, Batch).ToListAsync(cancellationToken);
        _read = batch.Count > 0 ? (policyId, batch[^1].Id) : null;
        return batch;
    }

    public override async Task AddAsync(IReadOnlyList<CountedClock> clocks, CancellationToken cancellationToken)
    {
        foreach (var chunk in clocks.Chunk(RowsPerStatement))
        {
            // Only placeholders go into the text (a missing warning is the literal NULL: a raw null parameter has no type).
            var values = new List<object>();
            var rows = new List<string>();
            foreach (var c in chunk)
            {
                var row = $"({{{values.Count}}}, {{{values.Count + 1}}}, ";
                values.AddRange([c.Id, c.Due]);
                if (c.WarnAt is { } warnAt)
                {
                    row += $"{{{values.Count}}})";
                    values.Add(warnAt);
                }
                else
                {
                    row += "NULL)";
                }
                rows.Add(row);
            }
            var sql = $"WITH v(\"Id\", \"Due\", \"Warn\") AS (VALUES {string.Join(", ", rows)}) " +
                $"UPDATE \"TicketSlaClocks\" SET \"DueAt\" = v.\"Due\", \"WarnAt\" = v.\"Warn\" FROM v WHERE \"TicketSlaClocks\".\"Id\" = v.\"Id\"{StillRunning}";
            await Db.Database.ExecuteSqlRawAsync(sql, values, cancellationToken);
        }
        await TimersAsync(SlaEngine.BreachKind, [.. clocks.Where(c => c.BreachAt is not null).Select(c => c.BreachAt!.Value)], cancellationToken);
        await TimersAsync(SlaEngine.WarningKind, [.. clocks.Where(c => c.WarnAt is not null).Select(c => c.WarnAt!.Value)], cancellationToken);
    }

    // The batch's instants, one timer per second at the earliest of it, written as a unit of work's shared timers are.
    private async Task TimersAsync(string kind, List<DateTime> instants, CancellationToken cancellationToken)
    {
        var timers = new SharedTimers();
        var workspaceId = Guid.ParseExact(Workspace, "N");
        foreach (var inSecond in instants.Select(at => new DateTimeOffset(at, TimeSpan.Zero)).GroupBy(at => at.ToUnixTimeSeconds()))
        {
            var second = inSecond.Key;
            timers.Arm($"{Workspace}:{SlaEngine.SecondKey(kind, second)}", kind, JsonSerializer.Serialize(new SlaSecond(second), JsonSerializerOptions.Web), inSecond.Min(), workspaceId, new DateTimeOffset(Now, TimeSpan.Zero));
        }
        await timers.WriteAsync(Db.Database, cancellationToken);
        Db.SharedTimers.Written();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
