using System.Data.Common;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Events;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Layan.Features.Realtime;

/// <summary>Section <c>Realtime</c>.</summary>
internal sealed class RealtimeOptions
{
    public const string Section = "Realtime";

    /// <summary>How often a waiting reader re-reads the table even if nothing woke it (a lost wake-up costs at most this).</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>One event of a workspace, kept so a client that reconnects gets exactly what it missed.</summary>
internal sealed class StoredEvent : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }

    /// <summary>1, 2, 3, … per workspace, without gaps, in commit order.</summary>
    public long Sequence { get; init; }

    public required string Type { get; init; }

    public required string Payload { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}

internal sealed class StoredEventConfiguration : IEntityTypeConfiguration<StoredEvent>
{
    public void Configure(EntityTypeBuilder<StoredEvent> builder)
    {
        builder.ToTable("WorkspaceEvents");
        builder.HasKey(e => new { e.WorkspaceId, e.Sequence });
        builder.Property(e => e.Type).HasMaxLength(50);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(e => e.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>What a reader gets: the events after its last sequence, or "resync" when it cannot be caught up.</summary>
internal sealed record EventBatch(IReadOnlyList<EventFrame> Events, long LastSequence, bool Resync);

/// <summary>One event as clients see it (the widget and inbox protocol, docs/realtime.md).</summary>
internal sealed record EventFrame(long Seq, string Type, JsonElement Data, DateTimeOffset At);

/// <summary>
/// ★ Gap-free realtime: every event of a workspace gets the next number of that workspace's
/// counter, taken by an UPDATE of the workspace's row, so numbers are handed out one transaction
/// at a time and become visible in order (a reader never sees 6 before 5). Readers ask for what
/// came after their last number and get exactly that, from the table; live listeners are woken by
/// the event bus after each commit.
/// </summary>
internal sealed class EventLog(LayanDbContext db, TenantContext tenant, EventFeeds feeds, EventsCommittedInterceptor committed, IOptions<RealtimeOptions> options, TimeProvider clock)
{
    public const int MaxBatch = 500;

    /// <summary>
    /// Appends an event to the current workspace's log (in the caller's transaction if there is
    /// one); <see cref="EventsCommittedInterceptor"/> wakes listeners once it is committed.
    /// </summary>
    public Task<long> AppendAsync(string type, object data, CancellationToken cancellationToken) =>
        AppendManyAsync([(type, data)], cancellationToken);

    /// <summary>
    /// Appends several events at once (one counter update, one insert, one wake-up); returns the last
    /// number. What the unit of work holds is saved first: from the counter's UPDATE to the commit
    /// the workspace's row is locked, and every other writer of the workspace waits for whatever
    /// comes in between, so on PostgreSQL that is one statement (the counter, the rows and the
    /// NOTIFY) and the commit. Appending last in a transaction keeps the wait that short.
    /// </summary>
    public async Task<long> AppendManyAsync(IReadOnlyList<(string Type, object Data)> events, CancellationToken cancellationToken)
    {
        var workspaceId = tenant.WorkspaceId ?? throw new InvalidOperationException("Events belong to a workspace: enter one first.");
        if (events.Count == 0)
        {
            return await LastAsync(workspaceId, cancellationToken);
        }
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var payloads = events.Select(e => JsonSerializer.Serialize(e.Data, e.Data.GetType(), JsonSerializerOptions.Web)).ToArray();
            var postgres = db.Database.IsNpgsql();
            var last = postgres
                ? await AppendOnPostgresAsync(workspaceId, [.. events.Select(e => e.Type)], payloads, now, cancellationToken)
                : await AppendInStepsAsync(workspaceId, events.Count, cancellationToken);
            var stored = events.Select((e, i) => new StoredEvent { WorkspaceId = workspaceId, Sequence = last - events.Count + 1 + i, Type = e.Type, Payload = payloads[i], OccurredAt = now }).ToList();
            if (!postgres)
            {
                db.AddRange(stored);
                await db.SaveChangesAsync(cancellationToken);
            }
            committed.Hold(db, stored);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }
            return last;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    // The counter taken, the events inserted under their numbers and the other nodes woken (delivered by
    // PostgreSQL when, and only if, the transaction commits), in one round trip.
    private const string AppendSql =
        "WITH s AS (UPDATE \"Workspaces\" SET \"LastEventSequence\" = \"LastEventSequence\" + cardinality(@types) WHERE \"Id\" = @workspace RETURNING \"LastEventSequence\" AS last), " +
        "e AS (INSERT INTO \"WorkspaceEvents\" (\"WorkspaceId\", \"Sequence\", \"Type\", \"Payload\", \"OccurredAt\") " +
        "SELECT @workspace, s.last - cardinality(@types) + v.k, v.type, v.payload, @at FROM s, unnest(@types, @payloads) WITH ORDINALITY AS v(type, payload, k)) " +
        "SELECT s.last AS \"Value\" FROM s, LATERAL (SELECT pg_notify(@channel, @tag || s.last)) n";

    private async Task<long> AppendOnPostgresAsync(Guid workspaceId, string[] types, string[] payloads, DateTimeOffset now, CancellationToken cancellationToken)
    {
        NpgsqlParameter[] parameters =
        [
            new("workspace", workspaceId), new("types", types), new("payloads", payloads), new("at", now),
            new("channel", PostgresEventListener.Channel), new("tag", $"{workspaceId:N}:"),
        ];
        return (await db.Database.SqlQueryRaw<long>(AppendSql, parameters).ToListAsync(cancellationToken)).Single();
    }

    // SQLite (the one writer holds the whole database anyway): the counter, then the rows by the unit of work.
    private async Task<long> AppendInStepsAsync(Guid workspaceId, int count, CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<long>($"UPDATE \"Workspaces\" SET \"LastEventSequence\" = \"LastEventSequence\" + {count} WHERE \"Id\" = {workspaceId} RETURNING \"LastEventSequence\" AS \"Value\"")
            .ToListAsync(cancellationToken)).Single();

    /// <summary>The workspace's last event number (0 before its first event).</summary>
    public Task<long> LastAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        db.Set<Workspace>().Where(w => w.Id == workspaceId).Select(w => w.LastEventSequence).SingleAsync(cancellationToken);

    /// <summary>The events after <paramref name="after"/>; "resync" when the client claims a number the workspace never reached.</summary>
    public async Task<EventBatch> ReadAsync(Guid workspaceId, long after, CancellationToken cancellationToken)
    {
        var last = await LastAsync(workspaceId, cancellationToken);
        if (after < 0 || after > last)
        {
            return new EventBatch([], last, Resync: true);
        }
        var rows = await db.Set<StoredEvent>().AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId && e.Sequence > after)
            .OrderBy(e => e.Sequence).Take(MaxBatch).ToListAsync(cancellationToken);
        return new EventBatch([.. rows.Select(Frame)], last, Resync: false);
    }

    /// <summary>
    /// Long poll: the events after <paramref name="after"/>, waiting up to <paramref name="wait"/>
    /// for the first one. With a <paramref name="view"/> (the widget's view of one conversation)
    /// only the events it keeps count, as it shapes them (null: left out), and
    /// <see cref="EventBatch.LastSequence"/> is the last number looked at, the one to resume after.
    /// </summary>
    public async Task<EventBatch> WaitAsync(Guid workspaceId, long after, TimeSpan wait, Func<EventFrame, EventFrame?>? view, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        // The node's one reader of this workspace: what it holds is taken from memory, the rest from the table.
        using var feed = feeds.Join(workspaceId);
        while (true)
        {
            var advanced = feed.Feed.Advanced;
            var batch = feed.Feed.TryRead(after) ?? await ReadAsync(workspaceId, after, cancellationToken);
            if (view is not null && !batch.Resync)
            {
                var newest = batch.LastSequence;
                after = batch.Events.Count > 0 ? batch.Events[^1].Seq : after;
                batch = new EventBatch([.. batch.Events.Select(view).OfType<EventFrame>()], after, Resync: false);
                if (batch.Events.Count == 0 && after < newest)
                {
                    continue; // a full page of other conversations' events: read on
                }
            }
            if (batch.Events.Count > 0 || batch.Resync || timeout.IsCancellationRequested)
            {
                await timeout.CancelAsync();
                return batch;
            }
            // Woken when the feed takes in events (a commit on this node, or PostgreSQL NOTIFY from
            // another); the re-check is only a safety net.
            await Task.WhenAny(advanced, Task.Delay(options.Value.RecheckInterval, timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        }
    }

    /// <summary>
    /// The live socket: sends what came after <paramref name="after"/>, then each new event as it
    /// commits, as one JSON text frame per batch; ends when the client goes.
    /// </summary>
    public async Task StreamAsync(WebSocket socket, Guid workspaceId, long after, Func<EventFrame, EventFrame?>? view, CancellationToken cancellationToken)
    {
        var last = after;
        // Held for the socket's life, so the workspace's shared reader does not stop and start again between batches.
        using var hold = feeds.Join(workspaceId);
        while (socket.State == WebSocketState.Open && !cancellationToken.IsCancellationRequested)
        {
            var batch = await WaitAsync(workspaceId, last, TimeSpan.FromSeconds(25), view, cancellationToken);
            if (batch.Events.Count > 0 || batch.Resync)
            {
                var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(batch, JsonSerializerOptions.Web));
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                if (batch.Resync)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "resync", cancellationToken);
                    return;
                }
            }
            last = view is null ? batch.Events.Count > 0 ? batch.Events[^1].Seq : last : batch.LastSequence;
        }
    }

    private static EventFrame Frame(StoredEvent e)
    {
        using var data = JsonDocument.Parse(e.Payload);
        return new EventFrame(e.Sequence, e.Type, data.RootElement.Clone(), e.OccurredAt);
    }
}

/// <summary>
/// Publishes appended events on the bus once the transaction they were written in commits (a
/// listener woken earlier would not see the rows yet; <see cref="EventLog"/> always appends in a
/// transaction, its own if the caller has none); a rollback forgets them. Events undone by a
/// rollback to a savepoint, or by a transaction disposed without a commit, may still be published
/// with the context's next commit. That is harmless, because the bus only wakes the feeds and they
/// read the table.
/// </summary>
internal sealed class EventsCommittedInterceptor(IEventBus bus) : IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<StoredEvent>> _pending = [];

    /// <summary>Events written in the context's current transaction, published when it commits.</summary>
    public void Hold(DbContext context, IEnumerable<StoredEvent> events) => _pending.GetOrCreateValue(context).AddRange(events);

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            await PublishAsync(context);
        }
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            _pending.Remove(context);
        }
        return Task.CompletedTask;
    }

    private async Task PublishAsync(DbContext context)
    {
        if (!_pending.TryGetValue(context, out var events))
        {
            return;
        }
        _pending.Remove(context);
        foreach (var e in events)
        {
            await bus.PublishAsync(new WorkspaceEvent(e.WorkspaceId, e.Sequence, e.Type, e.Payload));
        }
    }
}
