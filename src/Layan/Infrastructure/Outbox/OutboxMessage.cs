using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Infrastructure.Outbox;

/// <summary>
/// One outgoing email, SMS, channel message or webhook. Written in the same transaction as the
/// change that caused it; delivered by <see cref="WorkRunner{T}"/>. Its <see cref="QueuedWork.Id"/>
/// is the idempotency key every delivery carries (an email's Message-ID), because hand-off is
/// at-least-once: a node that dies after handing a message over but before recording it leaves
/// the row to be delivered again when its lease ends.
/// </summary>
internal sealed class OutboxMessage : QueuedWork;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder) => builder.ConfigureQueuedWork("Outbox");
}
