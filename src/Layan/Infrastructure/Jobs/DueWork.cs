using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Infrastructure.Jobs;

/// <summary>
/// A timer of the product (verification resend, SLA breach, auto-close, purge): run its handler
/// once <see cref="QueuedWork.DueAt"/> has passed. An optional <see cref="Key"/> names the timer so
/// it can be moved or cancelled (e.g. "stop resending once the address is verified").
/// </summary>
internal sealed class DueWork : QueuedWork
{
    public string? Key { get; set; }
}

internal sealed class DueWorkConfiguration : IEntityTypeConfiguration<DueWork>
{
    public void Configure(EntityTypeBuilder<DueWork> builder)
    {
        builder.ConfigureQueuedWork("DueWork");
        builder.Property(w => w.Key).HasMaxLength(200);
        builder.HasIndex(w => w.Key).IsUnique();
    }
}
