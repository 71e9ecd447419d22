using Layan.Infrastructure.Work;
using Shouldly;

namespace Layan.Tests.Unit;

// Covers the outbox/due-work retry rule: base × 2^(attempt-1), capped.
public sealed class BackoffTests
{
    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(4, 240)]
    [InlineData(8, 3840)]
    [InlineData(9, 7200)]
    [InlineData(10, 7200)]
    [InlineData(1000, 7200)]
    public void Delay_doubles_per_attempt_up_to_the_cap(int attempts, int seconds) =>
        Backoff.After(attempts, TimeSpan.FromSeconds(30), TimeSpan.FromHours(2)).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void There_is_no_attempt_zero() =>
        Should.Throw<ArgumentOutOfRangeException>(() => Backoff.After(0, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)));
}
