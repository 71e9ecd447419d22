using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Layan.Infrastructure.Jobs;

/// <summary>
/// The shared timers a unit of work armed (<see cref="DueWorkScheduler.ScheduleEarliestAsync"/>),
/// written when it saves, in its transaction, as one upsert per key: a timer nobody made yet is
/// made, one that exists is brought forward (never back, while pending) and armed again. Two
/// transactions arming the same new key therefore both succeed (on PostgreSQL the second waits for
/// the first and then updates its row) instead of the second failing on the unique key.
/// </summary>
internal sealed class SharedTimers
{
    /// <summary>The columns an upsert writes, in the order of its values.</summary>
    public const string Columns = "(\"Id\", \"Kind\", \"Payload\", \"Key\", \"DueAt\", \"WorkspaceId\", \"CreatedAt\", \"State\", \"Attempts\")";

    /// <summary>
    /// The conflict clause: a pending timer due earlier keeps its instant (its handler arms it again
    /// for the next); otherwise the row takes the new instant and is pending again, and a run in
    /// flight loses its claim (it runs again, and sees what this transaction wrote).
    /// </summary>
    public const string KeepEarliest = " ON CONFLICT (\"Key\") DO UPDATE SET \"DueAt\" = CASE WHEN \"DueWork\".\"State\" = 'Pending' AND \"DueWork\".\"DueAt\" < excluded.\"DueAt\" " +
        "THEN \"DueWork\".\"DueAt\" ELSE excluded.\"DueAt\" END, \"Kind\" = excluded.\"Kind\", \"Payload\" = excluded.\"Payload\", \"State\" = 'Pending', \"Attempts\" = 0, " +
        "\"CompletedAt\" = NULL, \"LastError\" = NULL, \"LeaseToken\" = NULL, \"LeaseUntil\" = NULL";

    // Seven parameters a row; well inside SQLite's limit.
    private const int RowsPerStatement = 300;

    private readonly Dictionary<string, Armed> _armed = new(StringComparer.Ordinal);

    private sealed record Armed(string Kind, string Payload, DateTimeOffset DueAt, Guid? WorkspaceId, DateTimeOffset CreatedAt);

    private bool _written;

    /// <summary>Timers armed and not written yet.</summary>
    public bool Any => _armed.Count > 0;

    /// <summary>Whether the runner is to be woken when the unit of work commits.</summary>
    public bool Wakes => _armed.Count > 0 || _written;

    /// <summary>Timers were written for the unit of work by statements of its own (a recount's): the runner is woken when it commits.</summary>
    public void Written() => _written = true;

    /// <summary>Arms <paramref name="key"/> (already scoped to its workspace); armed twice in one unit of work, the earlier instant counts.</summary>
    public void Arm(string key, string kind, string payload, DateTimeOffset dueAt, Guid? workspaceId, DateTimeOffset now)
    {
        if (_armed.TryGetValue(key, out var armed) && armed.DueAt <= dueAt)
        {
            return;
        }
        _armed[key] = new Armed(kind, payload, dueAt, workspaceId, now);
    }

    /// <summary>Forgets <paramref name="key"/>: the unit of work schedules or cancels it explicitly.</summary>
    public void Forget(string key) => _armed.Remove(key);

    /// <summary>Written; called once the whole unit of work has saved.</summary>
    public void Clear()
    {
        _armed.Clear();
        _written = false;
    }

    public async Task WriteAsync(DatabaseFacade database, CancellationToken cancellationToken)
    {
        foreach (var (sql, values) in Statements())
        {
            await database.ExecuteSqlRawAsync(sql, values, cancellationToken);
        }
    }

    public void Write(DatabaseFacade database)
    {
        foreach (var (sql, values) in Statements())
        {
            database.ExecuteSqlRaw(sql, values);
        }
    }

    // In key order, so that two transactions arming the same timers lock their rows in the same order.
    private IEnumerable<(string Sql, object[] Values)> Statements()
    {
        foreach (var chunk in _armed.OrderBy(a => a.Key, StringComparer.Ordinal).Chunk(RowsPerStatement))
        {
            var values = new List<object>();
            var rows = new List<string>();
            foreach (var (key, armed) in chunk)
            {
                var at = values.Count;
                values.AddRange([Guid.CreateVersion7(), armed.Kind, armed.Payload, key, armed.DueAt.UtcDateTime, armed.CreatedAt.UtcDateTime]);
                // A raw null parameter has no type: a system timer's workspace is the literal NULL.
                var workspace = "NULL";
                if (armed.WorkspaceId is { } workspaceId)
                {
                    workspace = $"{{{values.Count}}}";
                    values.Add(workspaceId);
                }
                rows.Add($"({{{at}}}, {{{at + 1}}}, {{{at + 2}}}, {{{at + 3}}}, {{{at + 4}}}, {workspace}, {{{at + 5}}}, 'Pending', 0)");
            }
            yield return ($"INSERT INTO \"DueWork\" {Columns} VALUES {string.Join(", ", rows)}{KeepEarliest}", [.. values]);
        }
    }
}
