using System.Text.Json;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Layan.Features.Tickets.Sla;

/// <summary>One clock counted again: its new due, and where its breach and warning timers go (null: none).</summary>
internal sealed record CountedClock(Guid Id, DateTime Due, DateTime? BreachAt, DateTime? WarnAt);

/// <summary>
/// Reads the clocks <see cref="SlaEngine.RecountAsync"/> counts again, a batch at a time, and writes
/// what it counted, in the caller's transaction: the new dues on the clock rows, and the timers
/// moved to them (armed again if they already ran, made where there is none: a warning switched
/// on, or brought further ahead of the due). The timers' keys and payloads are the ones
/// <see cref="Infrastructure.Jobs.DueWorkScheduler"/> gives them.
/// </summary>
internal abstract class RecountStore(LayanDbContext db, string workspace, DateTime now)
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

    protected const string TimerColumns = "(\"Id\", \"Kind\", \"Payload\", \"Key\", \"DueAt\", \"WorkspaceId\", \"CreatedAt\", \"State\", \"Attempts\")";

    protected const string Rearm = " ON CONFLICT (\"Key\") DO UPDATE SET \"DueAt\" = excluded.\"DueAt\", \"State\" = 'Pending', \"Attempts\" = 0, " +
        "\"CompletedAt\" = NULL, \"LastError\" = NULL, \"LeaseToken\" = NULL, \"LeaseUntil\" = NULL";
}

/// <summary>
/// PostgreSQL: the clocks come through one cursor (one plan for the whole policy, not a keyset
/// query per batch); each counted batch is streamed with binary <c>COPY</c> into a temporary table
/// (no SQL text per row, no parameters to bind), and every 50,000 clocks a flush applies them
/// set-based, the shape of a bare bulk UPDATE.
/// </summary>
internal sealed class PostgresRecountStore(LayanDbContext db, string workspace, DateTime now) : RecountStore(db, workspace, now)
{
    private const string Table = "sla_recount";
    private const string Cursor = "sla_recount_clocks";

    // Applied this often, so that no statement runs long (a million at once outlasts a command timeout).
    private const int FlushEvery = 50_000;
    private Guid? _open;
    private bool _created;
    private int _pending;

    public override async Task<List<ClockRow>> NextAsync(Guid policyId, CancellationToken cancellationToken)
    {
        if (_open != policyId)
        {
            // The whole set is read, so the planner may choose a plan for all of it (a cursor's
            // default favours the first rows).
            const string Declare = $"SET LOCAL cursor_tuple_fraction = 1.0; DECLARE {Cursor} NO SCROLL CURSOR FOR {Clocks}";
            await CloseAsync(cancellationToken);
            await Db.Database.ExecuteSqlRawAsync(Declare, [policyId], cancellationToken);
            _open = policyId;
        }
        var fetch = $"FETCH {Batch} FROM {Cursor}";
        var batch = await Db.Database.SqlQueryRaw<ClockRow>(fetch).ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            await CloseAsync(cancellationToken);
        }
        return batch;
    }

    private async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_open is not null)
        {
            const string Close = $"CLOSE {Cursor}";
            await Db.Database.ExecuteSqlRawAsync(Close, cancellationToken);
            _open = null;
        }
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
        const string Dues = $"UPDATE \"TicketSlaClocks\" SET \"DueAt\" = r.due FROM {Table} r WHERE \"TicketSlaClocks\".\"Id\" = r.id";
        await Db.Database.ExecuteSqlRawAsync(Dues, cancellationToken);
        foreach (var (kind, column) in new[] { (SlaEngine.BreachKind, "breach"), (SlaEngine.WarningKind, "warn") })
        {
            // Existing timers are moved by one join on the key ("{workspace}:{kind}:{clock id, 32 hex
            // digits}"), and only the clocks none was found for get one (the payload is ClockRef's JSON).
            var sql = $"WITH moved AS (UPDATE \"DueWork\" SET \"DueAt\" = r.{column}, \"State\" = 'Pending', \"Attempts\" = 0, \"CompletedAt\" = NULL, " +
                $"\"LastError\" = NULL, \"LeaseToken\" = NULL, \"LeaseUntil\" = NULL FROM {Table} r " +
                $"WHERE r.{column} IS NOT NULL AND \"DueWork\".\"Key\" = {{1}} || replace(r.id::text, '-', '') RETURNING r.id) " +
                $"INSERT INTO \"DueWork\" {TimerColumns} SELECT gen_random_uuid(), {{0}}, json_build_object('clockId', r.id)::text, " +
                $"{{1}} || replace(r.id::text, '-', ''), r.{column}, {{2}}, {{3}}, 'Pending', 0 FROM {Table} r " +
                $"WHERE r.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM moved m WHERE m.id = r.id){Rearm}";
            await Db.Database.ExecuteSqlRawAsync(sql, [kind, $"{Workspace}:{kind}:", Guid.ParseExact(Workspace, "N"), Now], cancellationToken);
        }
        const string Empty = $"TRUNCATE {Table}";
        await Db.Database.ExecuteSqlRawAsync(Empty, cancellationToken);
        _pending = 0;
    }
}

/// <summary>SQLite (and any other): clocks read in id order after the last one read, each batch written at once as multi-row statements.</summary>
internal sealed class StatementRecountStore(LayanDbContext db, string workspace, DateTime now) : RecountStore(db, workspace, now)
{
    // Rows per statement: two parameters each for dues, four for timers; well inside SQLite's limit.
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
            // Only placeholders go into the text; the values are parameters.
            var sql = $"WITH v(\"Id\", \"Due\") AS (VALUES {string.Join(", ", chunk.Select((_, i) => $"({{{2 * i}}}, {{{(2 * i) + 1}}})"))}) " +
                "UPDATE \"TicketSlaClocks\" SET \"DueAt\" = v.\"Due\" FROM v WHERE \"TicketSlaClocks\".\"Id\" = v.\"Id\"";
            await Db.Database.ExecuteSqlRawAsync(sql, chunk.SelectMany(c => new object[] { c.Id, c.Due }), cancellationToken);
        }
        await TimersAsync(SlaEngine.BreachKind, [.. clocks.Where(c => c.BreachAt is not null).Select(c => (c.Id, c.BreachAt!.Value))], cancellationToken);
        await TimersAsync(SlaEngine.WarningKind, [.. clocks.Where(c => c.WarnAt is not null).Select(c => (c.Id, c.WarnAt!.Value))], cancellationToken);
    }

    private async Task TimersAsync(string kind, List<(Guid Clock, DateTime Due)> timers, CancellationToken cancellationToken)
    {
        object[] shared = [kind, Guid.ParseExact(Workspace, "N"), Now];
        foreach (var chunk in timers.Chunk(RowsPerStatement))
        {
            var values = string.Join(", ", chunk.Select((_, i) => $"({{{3 + (4 * i)}}}, {{0}}, {{{4 + (4 * i)}}}, {{{5 + (4 * i)}}}, {{{6 + (4 * i)}}}, {{1}}, {{2}}, 'Pending', 0)"));
            var sql = $"INSERT INTO \"DueWork\" {TimerColumns} VALUES {values}{Rearm}";
            var rows = chunk.SelectMany(t => new object[]
            {
                Guid.CreateVersion7(), JsonSerializer.Serialize(new ClockRef(t.Clock), JsonSerializerOptions.Web), $"{Workspace}:{kind}:{t.Clock:N}", t.Due,
            });
            await Db.Database.ExecuteSqlRawAsync(sql, [.. shared, .. rows], cancellationToken);
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
