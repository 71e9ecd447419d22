namespace Layan.Infrastructure.Work;

/// <summary>Settings of one queue (<c>Work:Outbox</c>, <c>Work:DueWork</c>).</summary>
internal sealed class WorkQueueOptions
{
    /// <summary>How many rows one pass claims.</summary>
    public int BatchSize { get; set; } = 20;

    /// <summary>How long a claim lasts; a node that dies holding it frees the row after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest wait between passes, so rows written by other nodes are seen.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxAttempts { get; set; } = 8;

    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryCap { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Off lets a test (or a node that only serves pages) run without this runner.</summary>
    public bool Enabled { get; set; } = true;
}
