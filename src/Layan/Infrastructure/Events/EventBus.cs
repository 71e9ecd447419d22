using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Layan.Infrastructure.Events;

/// <summary>
/// Something that happened in a workspace, in the order it happened there. The sequence is
/// monotonic per workspace; a client that reconnects asks for what came after its last one.
/// </summary>
internal sealed record WorkspaceEvent(Guid WorkspaceId, long Sequence, string Type, string Payload);

/// <summary>
/// Carries workspace events to whoever listens (agent circuits, the widget socket). In-process
/// on SQLite; on PostgreSQL the inbox issue adds fan-out between nodes with LISTEN/NOTIFY and
/// replay of gaps from the event table, behind this same interface.
/// </summary>
internal interface IEventBus
{
    ValueTask PublishAsync(WorkspaceEvent @event, CancellationToken cancellationToken = default);

    /// <summary>Events of one workspace from now on, until <paramref name="cancellationToken"/> ends.</summary>
    IAsyncEnumerable<WorkspaceEvent> SubscribeAsync(Guid workspaceId, CancellationToken cancellationToken);
}

internal sealed class InProcessEventBus : IEventBus
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Channel<WorkspaceEvent>, byte>> _subscribers = new();

    public ValueTask PublishAsync(WorkspaceEvent @event, CancellationToken cancellationToken = default)
    {
        if (_subscribers.TryGetValue(@event.WorkspaceId, out var channels))
        {
            foreach (var channel in channels.Keys)
            {
                // Bounded per subscriber: a slow listener loses its oldest events and resumes
                // from the event table by sequence instead of stalling the publisher.
                channel.Writer.TryWrite(@event);
            }
        }
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<WorkspaceEvent> SubscribeAsync(
        Guid workspaceId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<WorkspaceEvent>(
            new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var channels = _subscribers.GetOrAdd(workspaceId, _ => new());
        channels.TryAdd(channel, 0);
        try
        {
            await foreach (var @event in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return @event;
            }
        }
        finally
        {
            channels.TryRemove(channel, out _);
        }
    }
}

internal static class EventsModule
{
    public static WebApplicationBuilder AddEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IEventBus, InProcessEventBus>();
        builder.Services.AddSingleton<Features.Realtime.EventFeeds>();
        builder.Services.AddSingleton<Features.Realtime.EventsCommittedInterceptor>();
        builder.Services.AddOptions<Features.Realtime.RealtimeOptions>().Bind(builder.Configuration.GetSection(Features.Realtime.RealtimeOptions.Section));
        builder.Services.AddHostedService<Features.Realtime.PostgresEventListener>();
        return builder;
    }
}
