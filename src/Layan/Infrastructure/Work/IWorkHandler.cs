namespace Layan.Infrastructure.Work;

/// <summary>
/// Runs one kind of queued work. Resolved from a fresh scope per item; whatever it changes in the
/// scoped <c>LayanDbContext</c> is saved in the same transaction that marks the item completed.
/// Throwing schedules a retry with back-off; after the last attempt the item is dead.
/// </summary>
internal interface IWorkHandler<in T>
    where T : QueuedWork
{
    string Kind { get; }

    Task HandleAsync(T item, CancellationToken cancellationToken);
}
