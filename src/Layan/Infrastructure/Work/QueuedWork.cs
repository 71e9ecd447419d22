using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Infrastructure.Work;

internal enum WorkState
{
    Pending,
    Completed,
    Dead,
}

/// <summary>
/// A row of work that becomes due at <see cref="DueAt"/> and is claimed by one node at a time
/// under a lease (<see cref="LeaseToken"/> until <see cref="LeaseUntil"/>). The outbox and the
/// due-work table are both made of these and share one runner.
/// </summary>
internal abstract class QueuedWork
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Which handler runs it (e.g. <c>email</c>, <c>sms</c>, <c>accounts.verification-resend</c>).</summary>
    public required string Kind { get; set; }

    /// <summary>JSON payload for the handler.</summary>
    public required string Payload { get; set; }

    public Guid? WorkspaceId { get; init; }

    public WorkState State { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset DueAt { get; set; }

    /// <summary>Claims so far, counted when claimed so a row that crashes its node still counts.</summary>
    public int Attempts { get; set; }

    public Guid? LeaseToken { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? LastError { get; set; }

    internal void Complete(DateTimeOffset now)
    {
        State = WorkState.Completed;
        CompletedAt = now;
        LeaseToken = null;
        LeaseUntil = null;
        LastError = null;
    }

    internal void Fail(string error, DateTimeOffset now, WorkQueueOptions options, TimeSpan? retryAfter = null)
    {
        LastError = error.Length > 2000 ? error[..2000] : error;
        LeaseToken = null;
        LeaseUntil = null;
        if (Attempts >= options.MaxAttempts)
        {
            State = WorkState.Dead;
            CompletedAt = now;
            return;
        }
        DueAt = now + (retryAfter is { } wait && wait >= TimeSpan.Zero ? (wait < options.RetryCap ? wait : options.RetryCap) : Backoff.After(Attempts, options.RetryBase, options.RetryCap));
    }
}

/// <summary>Thrown by a handler that was told when to try again (a provider's 429 with <c>Retry-After</c>): the retry waits exactly that long (up to the cap).</summary>
internal sealed class RetryAfterException(TimeSpan after, string message) : Exception(message)
{
    public TimeSpan After { get; } = after;
}

/// <summary>Exponential back-off: base, 2×base, 4×base… capped.</summary>
internal static class Backoff
{
    public static TimeSpan After(int attempts, TimeSpan retryBase, TimeSpan cap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        var exponent = Math.Min(attempts - 1, 30);
        var ticks = retryBase.Ticks * Math.Pow(2, exponent);
        return ticks >= cap.Ticks ? cap : TimeSpan.FromTicks((long)ticks);
    }
}

/// <summary>The columns every queue table has, configured once.</summary>
internal static class QueuedWorkConfiguration
{
    public static void ConfigureQueuedWork<T>(this EntityTypeBuilder<T> builder, string table)
        where T : QueuedWork
    {
        builder.ToTable(table);
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Kind).HasMaxLength(100);
        builder.Property(w => w.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(w => w.LastError).HasMaxLength(2000);
        // A node that lost its lease must not overwrite the row another node now holds.
        builder.Property(w => w.LeaseToken).IsConcurrencyToken();
        builder.HasIndex(w => new { w.State, w.DueAt });
        // Only claimed rows (few) are in it: moving, re-arming or completing a row does not touch it.
        builder.HasIndex(w => w.LeaseToken).HasFilter("\"LeaseToken\" IS NOT NULL");
    }
}
