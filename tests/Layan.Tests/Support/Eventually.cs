namespace Layan.Tests.Support;

/// <summary>
/// Waits for a background effect (a runner delivering, a server receiving). This waits for a
/// condition, never for time to pass: the product's time is a <see cref="ManualClock"/>.
/// </summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, string what, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}; last value: {value}");
            }
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    public static Task<T> Until<T>(Func<T> probe, Func<T, bool> done, string what, int timeoutSeconds = 20) =>
        Until(() => Task.FromResult(probe()), done, what, timeoutSeconds);
}
