using Layan.Infrastructure.Events;
using Shouldly;

namespace Layan.Tests.Unit;

// Covers the in-process event bus: subscribers get their own workspace's events, in order.
public sealed class EventBusTests
{
    [Fact]
    public async Task A_subscriber_receives_its_workspace_s_events_in_order_and_no_other_workspace_s()
    {
        var bus = new InProcessEventBus();
        var mine = Guid.NewGuid();
        var theirs = Guid.NewGuid();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var received = new List<WorkspaceEvent>();
        var subscribed = new TaskCompletionSource();
        var listening = Task.Run(async () =>
        {
            var events = bus.SubscribeAsync(mine, stop.Token).GetAsyncEnumerator(stop.Token);
            var next = events.MoveNextAsync(); // registers the subscription
            subscribed.SetResult();
            while (await next)
            {
                received.Add(events.Current);
                if (received.Count == 2)
                {
                    break;
                }
                next = events.MoveNextAsync();
            }
            await events.DisposeAsync();
        }, TestContext.Current.CancellationToken);
        await subscribed.Task;

        await bus.PublishAsync(new WorkspaceEvent(theirs, 1, "message.created", "{}"), TestContext.Current.CancellationToken);
        await bus.PublishAsync(new WorkspaceEvent(mine, 1, "message.created", "{\"n\":1}"), TestContext.Current.CancellationToken);
        await bus.PublishAsync(new WorkspaceEvent(mine, 2, "conversation.assigned", "{\"n\":2}"), TestContext.Current.CancellationToken);
        await listening.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        received.Select(e => (e.WorkspaceId, e.Sequence)).ShouldBe([(mine, 1L), (mine, 2L)]);
    }
}
