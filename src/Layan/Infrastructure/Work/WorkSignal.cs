using System.Threading.Channels;

namespace Layan.Infrastructure.Work;

/// <summary>A queue's wake-up call, seen without its type parameter.</summary>
internal interface IWorkSignal
{
    Type WorkType { get; }

    void Notify();
}

/// <summary>Wakes the runner of queue <typeparamref name="T"/> when new work is committed.</summary>
internal sealed class WorkSignal<T> : IWorkSignal
    where T : QueuedWork
{
    public Type WorkType => typeof(T);

    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken cancellationToken) =>
        await _channel.Reader.ReadAsync(cancellationToken);
}
