using System.Data.Common;
using System.Runtime.CompilerServices;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Layan.Infrastructure.Work;

/// <summary>
/// Wakes a queue's runner once new work is committed: at SaveChanges when it runs in its own
/// transaction, otherwise when the surrounding transaction commits (never before: the runner
/// would not see the row yet).
/// </summary>
internal sealed class WorkCommittedInterceptor(IEnumerable<IWorkSignal> signals) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, HashSet<Type>> _pending = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        NotifyUnlessInTransaction(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        NotifyUnlessInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Notify(eventData.Context);

    public Task TransactionCommittedAsync(
        DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Notify(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(
        DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        foreach (var entry in context.ChangeTracker.Entries<QueuedWork>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                _pending.GetOrCreateValue(context).Add(entry.Entity.GetType());
            }
        }
        // Shared timers are written as upserts beside the tracked entities (or by a recount's statements).
        if (context is LayanDbContext { SharedTimers.Wakes: true })
        {
            _pending.GetOrCreateValue(context).Add(typeof(Jobs.DueWork));
        }
    }

    private void NotifyUnlessInTransaction(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            Notify(context);
        }
    }

    private void Notify(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var types))
        {
            return;
        }
        _pending.Remove(context);
        foreach (var signal in signals.Where(s => types.Contains(s.WorkType)))
        {
            signal.Notify();
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }
}
