namespace Layan.Infrastructure.Work;

/// <summary>
/// Runs one kind of queued work. Resolved from a fresh scope per item; whatever it changes in the
/// scoped <c>LayanDbContext</c> is saved in the same transaction that marks the item completed.
/// A handler whose own steps save (events, conditional updates) opens the transaction itself;
/// the runner marks the item completed inside it and commits both. Throwing schedules a retry with
/// back-off; after the last attempt the item is dead.
/// </summary>
internal interface IWorkHandler<in T>
    where T : QueuedWork
{
    string Kind { get; }

    Task HandleAsync(T item, CancellationToken cancellationToken);
}
