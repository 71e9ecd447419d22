using Layan.Features.Inbox;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Channels;

/// <summary>
/// CH-1: one connected provider account of a workspace: a WhatsApp number, a Telegram bot, a
/// Facebook Page (messages, comments), an Instagram account, an email address. Its credentials
/// are encrypted with the data-protection keys; its webhook is <c>/hooks/{Id}</c>.
/// </summary>
internal sealed class Channel : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    /// <summary>The adapter's kind (<see cref="IChannelAdapter.Kind"/>).</summary>
    public required string Kind { get; init; }

    public required string Name { get; set; }

    /// <summary>The provider's id of the account: phone number id, bot id, Page id, Instagram account id, email address.</summary>
    public required string ExternalId { get; set; }

    /// <summary>The credentials (<see cref="ChannelCredentials"/>), protected; never shown again once saved.</summary>
    public required string Credentials { get; set; }

    /// <summary>Where new conversations go (null: the Main Department).</summary>
    public Guid? DepartmentId { get; set; }

    /// <summary>CH-3: default channels keep working while the Channel feature has lapsed.</summary>
    public bool IsDefault { get; set; }

    /// <summary>CH-3: disabled by the lapse of the Channel feature (history kept, nothing sent or received).</summary>
    public bool Revoked { get; set; }

    /// <summary>Switched off by an Administrator.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>CH-1: per channel toggles, for Pages connected with both.</summary>
    public bool Messages { get; set; } = true;

    public bool Comments { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Receives and sends now.</summary>
    public bool Active => Enabled && !Revoked;
}

/// <summary>CH-1: the contact behind a provider's sender id on one channel.</summary>
internal sealed class ChannelContact : IWorkspaceOwned
{
    public Guid ChannelId { get; init; }

    public required string ExternalId { get; init; }

    public Guid WorkspaceId { get; set; }

    public Guid ContactId { get; init; }
}

/// <summary>
/// CH-4: a webhook as the provider sent it, stored before the acknowledgement and processed by
/// its runner. (<see cref="ChannelId"/>, <see cref="DedupKey"/>) is unique: a retried delivery
/// (the same Telegram update, the same signed body) is stored once.
/// </summary>
internal sealed class InboundWebhook : QueuedWork
{
    public Guid ChannelId { get; init; }

    public required string DedupKey { get; init; }
}

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<Channel>
{
    public void Configure(EntityTypeBuilder<Channel> builder)
    {
        builder.ToTable("Channels");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Kind).HasMaxLength(30);
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.ExternalId).HasMaxLength(254);
        builder.Property(c => c.Credentials).HasMaxLength(8000);
        builder.Ignore(c => c.Active);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Department>().WithMany().HasForeignKey(c => c.DepartmentId).OnDelete(DeleteBehavior.SetNull);
        // One account is connected to one workspace once (a second workspace connecting the same number is refused).
        builder.HasIndex(c => new { c.Kind, c.ExternalId }).IsUnique();
        builder.HasIndex(c => c.WorkspaceId);
    }
}

internal sealed class ChannelContactConfiguration : IEntityTypeConfiguration<ChannelContact>
{
    public void Configure(EntityTypeBuilder<ChannelContact> builder)
    {
        builder.ToTable("ChannelContacts");
        builder.HasKey(c => new { c.ChannelId, c.ExternalId });
        builder.Property(c => c.ExternalId).HasMaxLength(254);
        builder.HasOne<Channel>().WithMany().HasForeignKey(c => c.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Contact>().WithMany().HasForeignKey(c => c.ContactId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InboundWebhookConfiguration : IEntityTypeConfiguration<InboundWebhook>
{
    public void Configure(EntityTypeBuilder<InboundWebhook> builder)
    {
        builder.ConfigureQueuedWork("ChannelInbound");
        builder.Property(w => w.DedupKey).HasMaxLength(100);
        builder.HasIndex(w => new { w.ChannelId, w.DedupKey }).IsUnique();
    }
}
