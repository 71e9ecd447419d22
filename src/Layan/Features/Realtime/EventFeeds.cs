using Layan.Infrastructure.Events;
using Layan.Infrastructure.Tenancy;
using Microsoft.Extensions.Options;

namespace Layan.Features.Realtime;

/// <summary>
/// One reader of a workspace's event table per node, shared by every live listener of that
/// workspace on the node (agents' inboxes, thousands of widget sockets): woken by the bus, it
/// reads what came after its last number once, keeps the newest <see cref="Capacity"/> events in
/// memory, and wakes the listeners, who take what they miss from memory. A listener whose number
/// lies outside what is kept (too old, or ahead of the reader) reads the table itself, so the
/// gap-free rules of <see cref="EventLog"/> never depend on the feed. The feed runs while somebody
/// listens and stops with the last one.
/// </summary>
internal sealed partial class EventFeeds(IServiceScopeFactory scopes, IEventBus bus, IOptions<RealtimeOptions> options, ILogger<EventFeeds> logger) : IDisposable
{
    private readonly IServiceScopeFactory _scopes = scopes;
    private readonly IEventBus _bus = bus;
    private readonly IOptions<RealtimeOptions> _options = options;
    private readonly ILogger _logger = logger;

    /// <summary>How many of the newest events a feed keeps for listeners to take.</summary>
    public const int Capacity = 4096;

    private readonly Dictionary<Guid, Feed> _feeds = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The workspace's feed, started if nobody listened yet; dispose the lease to stop listening.</summary>
    public Lease Join(Guid workspaceId)
    {
        lock (_feeds)
        {
            if (!_feeds.TryGetValue(workspaceId, out var feed))
            {
                feed = new Feed(this, workspaceId);
                _feeds[workspaceId] = feed;
                feed.Start();
            }
            feed.Listeners++;
            return new Lease(this, feed);
        }
    }

    private void Leave(Feed feed)
    {
        lock (_feeds)
        {
            if (--feed.Listeners == 0)
            {
                _feeds.Remove(feed.WorkspaceId);
                feed.Stop();
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }


    /// <summary>A listener's hold on a feed.</summary>
    internal sealed class Lease(EventFeeds owner, Feed feed) : IDisposable
    {
        private int _disposed;

        public Feed Feed { get; } = feed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Leave(Feed);
            }
        }
    }

    internal sealed class Feed(EventFeeds owner, Guid workspaceId)
    {
        private readonly EventFrame[] _ring = new EventFrame[Capacity];
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(owner._stopping.Token);
        private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _last = -1; // -1: not read yet
        private int _count;

        public Guid WorkspaceId { get; } = workspaceId;

        /// <summary>Guarded by the owner's lock.</summary>
        public int Listeners { get; set; }

        /// <summary>Completes the next time the feed takes in events (take it before <see cref="TryRead"/>, so no wake-up is missed).</summary>
        public Task Advanced
        {
            get
            {
                lock (_ring)
                {
                    return _advanced.Task;
                }
            }
        }

        /// <summary>The events after <paramref name="after"/> (at most <see cref="EventLog.MaxBatch"/>) if the feed holds all of them; null when the table must answer.</summary>
        public EventBatch? TryRead(long after)
        {
            lock (_ring)
            {
                var first = _last - _count + 1;
                if (_last < 0 || after > _last || after < first - 1)
                {
                    return null;
                }
                var take = (int)Math.Min(_last - after, EventLog.MaxBatch);
                var frames = new EventFrame[take];
                for (var i = 0; i < take; i++)
                {
                    frames[i] = _ring[(after + 1 + i) % Capacity];
                }
                return new EventBatch(frames, _last, Resync: false);
            }
        }

        public void Start() => _ = Task.Run(() => PumpAsync(_stop.Token));

        public void Stop() => _stop.Cancel();

        private async Task PumpAsync(CancellationToken cancellationToken)
        {
            using var wake = new SemaphoreSlim(0);
            var subscription = Task.Run(async () =>
            {
                await foreach (var e in owner._bus.SubscribeAsync(WorkspaceId, cancellationToken))
                {
                    // A number the feed already holds (this node's own commit, echoed by NOTIFY) needs no read.
                    if (e.Sequence > Interlocked.Read(ref _last) && wake.CurrentCount == 0)
                    {
                        wake.Release();
                    }
                }
            }, CancellationToken.None);
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    try
                    {
                        await ReadNewAsync(cancellationToken);
                    }
                    catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                    {
                        LogFeedFailed(owner._logger, e, WorkspaceId); // listeners fall back to the table meanwhile
                    }
                    await ((Task)wake.WaitAsync(owner._options.Value.RecheckInterval, cancellationToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
            finally
            {
                await subscription.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _stop.Dispose();
            }
        }

        private async Task ReadNewAsync(CancellationToken cancellationToken)
        {
            await using var scope = owner._scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(WorkspaceId);
            var log = scope.ServiceProvider.GetRequiredService<EventLog>();
            if (_last < 0)
            {
                // From now on: older numbers are the table's to answer.
                Take([], await log.LastAsync(WorkspaceId, cancellationToken));
                return;
            }
            while (true)
            {
                var batch = await log.ReadAsync(WorkspaceId, _last, cancellationToken);
                if (batch.Resync)
                {
                    Take([], batch.LastSequence, reset: true); // the log went back (a restore): start again from it
                    return;
                }
                if (batch.Events.Count == 0)
                {
                    return;
                }
                Take(batch.Events, batch.Events[^1].Seq);
                if (batch.Events.Count < EventLog.MaxBatch)
                {
                    return; // the end as it stood; what commits after it wakes the pump again
                }
            }
        }

        private void Take(IReadOnlyList<EventFrame> frames, long last, bool reset = false)
        {
            TaskCompletionSource advanced;
            lock (_ring)
            {
                if (reset || _last < 0)
                {
                    _count = 0;
                }
                foreach (var frame in frames)
                {
                    _ring[frame.Seq % Capacity] = frame;
                }
                _count = Math.Min(Capacity, _count + frames.Count);
                _last = last;
                advanced = _advanced;
                _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            advanced.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the events of workspace {WorkspaceId} for its listeners failed; they read the table meanwhile.")]
    private static partial void LogFeedFailed(ILogger logger, Exception exception, Guid workspaceId);
}
