using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Infrastructure.Work;

/// <summary>Names a queue and its configuration section (<c>Work:{Name}</c>).</summary>
internal sealed record WorkQueue<T>(string Name)
    where T : QueuedWork;

/// <summary>
/// Runs one queue: claims due rows under a lease (on PostgreSQL with <c>FOR UPDATE SKIP LOCKED</c>,
/// so several nodes never take the same row), hands each to its handler in a fresh scope, and marks
/// it completed in the same transaction as the handler's own changes. Sleeps until the next due
/// instant (a timer, not a coarse poll), a commit of new work, or the poll interval, whichever
/// comes first.
/// </summary>
internal sealed partial class WorkRunner<T>(
    WorkQueue<T> queue,
    IServiceScopeFactory scopes,
    WorkSignal<T> signal,
    TimeProvider clock,
    IOptionsMonitor<WorkQueueOptions> optionsMonitor,
    ILogger<WorkRunner<T>> logger) : BackgroundService
    where T : QueuedWork
{
    private WorkQueueOptions Options => optionsMonitor.Get(queue.Name);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await RunOnceAsync(stoppingToken);
                if (claimed < Options.BatchSize)
                {
                    await WaitForWorkAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: a row claimed and not finished keeps its lease and is taken again
                // by whichever node runs after the lease ends.
                return;
            }
            catch (Exception ex)
            {
                LogPassFailed(logger, ex, queue.Name);
                await Task.Delay(Options.PollInterval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Claims and runs one batch of due rows; returns how many were claimed.</summary>
    internal async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var lease = Guid.NewGuid();
        IReadOnlyList<Guid> claimed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
            claimed = await ClaimAsync(db, lease, cancellationToken);
        }
        foreach (var id in claimed)
        {
            await RunItemAsync(id, lease, cancellationToken);
        }
        return claimed.Count;
    }

    private async Task<IReadOnlyList<Guid>> ClaimAsync(LayanDbContext db, Guid lease, CancellationToken cancellationToken)
    {
        var options = Options;
        var now = clock.GetUtcNow().UtcDateTime;
        var table = db.Model.FindEntityType(typeof(T))!.GetTableName()!;
        // A row whose last attempt was claimed and never finished (its node died or hung past the
        // lease) is dead, not retried forever.
        await db.Database.ExecuteSqlRawAsync(
            string.Concat(
                "UPDATE \"", table, "\" SET \"State\" = 'Dead', \"CompletedAt\" = {0}, \"LeaseToken\" = NULL, \"LeaseUntil\" = NULL, ",
                "\"LastError\" = COALESCE(\"LastError\", 'The last attempt did not finish within its lease.') ",
                // Only claimed rows have a lease (token and end together): found through the token's index, not by scanning every pending timer.
                "WHERE \"State\" = 'Pending' AND \"LeaseToken\" IS NOT NULL AND \"Attempts\" >= {1} AND \"LeaseUntil\" <= {0}"),
            [now, options.MaxAttempts],
            cancellationToken);
        var skipLocked = db.Database.IsNpgsql() ? " FOR UPDATE SKIP LOCKED" : "";
        await db.Database.ExecuteSqlRawAsync(
            string.Concat(
                "UPDATE \"", table, "\" SET \"LeaseToken\" = {0}, \"LeaseUntil\" = {1}, \"Attempts\" = \"Attempts\" + 1 ",
                "WHERE \"Id\" IN (SELECT \"Id\" FROM \"", table, "\" WHERE \"State\" = 'Pending' AND \"DueAt\" <= {2} ",
                "AND (\"LeaseUntil\" IS NULL OR \"LeaseUntil\" <= {2}) AND \"Attempts\" < {4} ORDER BY \"DueAt\" LIMIT {3}", skipLocked, ")"),
            [lease, now + options.Lease, now, options.BatchSize, options.MaxAttempts],
            cancellationToken);
        return await db.Set<T>().Where(w => w.LeaseToken == lease).OrderBy(w => w.DueAt).Select(w => w.Id).ToListAsync(cancellationToken);
    }

    private async Task RunItemAsync(Guid id, Guid lease, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        // Only while this claim still holds: the row may have been cancelled, re-armed, or (its
        // lease having ended while earlier rows of the batch ran) taken by another node.
        var item = await db.Set<T>().SingleOrDefaultAsync(
            w => w.Id == id && w.LeaseToken == lease && w.State == WorkState.Pending, cancellationToken);
        if (item is null || item.LeaseUntil <= clock.GetUtcNow())
        {
            return;
        }
        if (item.WorkspaceId is { } workspaceId)
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspaceId);
        }
        try
        {
            var handler = scope.ServiceProvider.GetServices<IWorkHandler<T>>().SingleOrDefault(h => h.Kind == item.Kind)
                ?? throw new InvalidOperationException($"No handler for work of kind '{item.Kind}'.");
            await handler.HandleAsync(item, cancellationToken);
            if (item.LeaseToken == lease)
            {
                item.Complete(clock.GetUtcNow());
            }
            // else the handler re-armed its own timer (a keyed schedule clears the lease): keep that.
            // Guarded by the lease token: if the lease was lost meanwhile, this save fails and the
            // handler's own changes go with it; the new holder's run is the one that counts.
            await db.SaveChangesAsync(cancellationToken);
            // A handler that opened a transaction (to decide and record in one step) has the
            // completion in it too: both commit here, or neither (disposing the scope rolls back).
            if (db.Database.CurrentTransaction is { } open)
            {
                await open.CommitAsync(cancellationToken);
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            await RollBackAsync(db);
            LogLeaseLost(logger, queue.Name, item.Kind, id);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Before the failure is written from another connection: an open transaction of the
            // handler's would hold SQLite's write lock (and the row) until the scope ends.
            await RollBackAsync(db);
            LogItemFailed(logger, ex, queue.Name, item.Kind, id, item.Attempts);
            await RecordFailureAsync(id, lease, ex, cancellationToken);
        }
    }

    private static async Task RollBackAsync(LayanDbContext db)
    {
        if (db.Database.CurrentTransaction is { } open)
        {
            await open.RollbackAsync(CancellationToken.None);
        }
    }

    private async Task RecordFailureAsync(Guid id, Guid lease, Exception error, CancellationToken cancellationToken)
    {
        // A fresh scope: whatever the failed handler changed is thrown away.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        var item = await db.Set<T>().SingleOrDefaultAsync(w => w.Id == id && w.LeaseToken == lease, cancellationToken);
        if (item is null)
        {
            return; // Cancelled, or another node holds it now.
        }
        item.Fail($"{error.GetType().Name}: {error.Message}", clock.GetUtcNow(), Options, (error as RetryAfterException)?.After);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            LogLeaseLost(logger, queue.Name, item.Kind, id);
            return;
        }
        if (item.State == WorkState.Dead)
        {
            LogItemDead(logger, queue.Name, item.Kind, id, item.Attempts);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        DateTimeOffset? next;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
            // The earliest unclaimed due comes off the (State, DueAt) index in order; claimed rows (few,
            // found by the lease token's index) count from their lease's end if that is later.
            var unclaimed = await db.Set<T>()
                .Where(w => w.State == WorkState.Pending && w.LeaseToken == null)
                .OrderBy(w => w.DueAt).Select(w => (DateTimeOffset?)w.DueAt)
                .FirstOrDefaultAsync(stoppingToken);
            var claimed = await db.Set<T>()
                .Where(w => w.State == WorkState.Pending && w.LeaseToken != null)
                .Select(w => (DateTimeOffset?)(w.LeaseUntil != null && w.LeaseUntil > w.DueAt ? w.LeaseUntil.Value : w.DueAt))
                .OrderBy(due => due)
                .FirstOrDefaultAsync(stoppingToken);
            next = unclaimed is null ? claimed : claimed is null || unclaimed < claimed ? unclaimed : claimed;
        }
        var poll = Options.PollInterval;
        var delay = next is { } due ? due - clock.GetUtcNow() : poll;
        if (delay <= TimeSpan.Zero)
        {
            return;
        }
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var signalled = signal.WaitAsync(wake.Token);
        var timer = Task.Delay(delay < poll ? delay : poll, clock, wake.Token);
        await Task.WhenAny(signalled, timer);
        await wake.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: pass failed; retrying after the poll interval")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: {Kind} {Id} failed on attempt {Attempt}")]
    private static partial void LogItemFailed(ILogger logger, Exception exception, string queue, string kind, Guid id, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: {Kind} {Id} was cancelled or taken by another node before it finished")]
    private static partial void LogLeaseLost(ILogger logger, string queue, string kind, Guid id);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: {Kind} {Id} is dead after {Attempts} attempts")]
    private static partial void LogItemDead(ILogger logger, string queue, string kind, Guid id, int attempts);
}
