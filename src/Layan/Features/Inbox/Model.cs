using Layan.Features.Accounts;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Inbox;

/// <summary>INB-1: where a conversation came from. Channels (CH-1) add their kinds.</summary>
internal static class ChannelKinds
{
    public const string WebChat = "web_chat";
}

/// <summary>INB-1: open, pending (waiting for the customer), snoozed (until a time), resolved.</summary>
internal static class ConversationStatus
{
    public const string Open = "open";
    public const string Pending = "pending";
    public const string Snoozed = "snoozed";
    public const string Resolved = "resolved";

    public static IReadOnlyList<string> All { get; } = [Open, Pending, Snoozed, Resolved];

    /// <summary>Counts against the assignee's capacity (INB-3): open and pending; snoozed and resolved free it.</summary>
    public static bool Loads(string status) => status is Open or Pending;
}

/// <summary>Who wrote a message: the customer, an agent (public), an agent's private note, or Layan.</summary>
internal static class MessageKinds
{
    public const string Customer = "customer";
    public const string Agent = "agent";
    public const string Note = "note";
    public const string System = "system";

    /// <summary>What the customer sees (never notes).</summary>
    public static bool Public(string kind) => kind is not Note;
}

/// <summary>INB-5: a customer, merged across channels by a verified email address or phone number.</summary>
internal sealed class Contact : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public string? Name { get; set; }

    /// <summary>Lower case.</summary>
    public string? Email { get; set; }

    /// <summary>Only a verified address merges contacts (widget identity verification, a channel that proves it).</summary>
    public bool EmailVerified { get; set; }

    /// <summary>E.164.</summary>
    public string? Phone { get; set; }

    public bool PhoneVerified { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>INB-1: one contact on one channel, with its status, assignee, department and labels.</summary>
internal sealed class Conversation : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public Guid ContactId { get; init; }

    public required string Channel { get; init; }

    public Guid DepartmentId { get; set; }

    public Guid? AssigneeId { get; set; }

    public string Status { get; set; } = ConversationStatus.Open;

    public DateTimeOffset? SnoozedUntil { get; set; }

    /// <summary>Higher is served first from the routing queue.</summary>
    public int Priority { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastActivityAt { get; set; }

    public string? LastMessagePreview { get; set; }

    /// <summary>While it waits for an agent: its place in the department's routing queue (earliest first).</summary>
    public DateTimeOffset? QueuedAt { get; set; }

    public DateTimeOffset? AssignedAt { get; set; }

    /// <summary>★ Self-healing: the agent it was taken from, passed over by the next routing decision.</summary>
    public Guid? ReassignedFrom { get; set; }

    /// <summary>The customer's oldest message not yet answered by an agent (self-healing, ★).</summary>
    public DateTimeOffset? AwaitingReplySince { get; set; }

    /// <summary>The widget's visitor token, hashed (SHA-256, hex); the token itself is only ever with the visitor.</summary>
    public string? VisitorTokenHash { get; set; }

    /// <summary>The workspace event that created it: the visitor's stream never reads from before it.</summary>
    public long StartSequence { get; set; }

    /// <summary>Left through the offline form: agents' replies also go to the contact by email.</summary>
    public bool OfflineForm { get; init; }

    /// <summary>CH-1: the provider channel it came through (null for web chat).</summary>
    public Guid? ChannelId { get; init; }

    /// <summary>CH-1: the provider's thread: whom replies go to (a WhatsApp number, a Telegram chat, a Messenger PSID, a post, an email address).</summary>
    public string? Thread { get; init; }

    /// <summary>An email conversation's subject (replies answer "Re: …").</summary>
    public string? Subject { get; init; }

    /// <summary>The customer's last message: the provider's customer-service window counts from it.</summary>
    public DateTimeOffset? LastCustomerAt { get; set; }
}

/// <summary>One message of a conversation; an attachment is kept in the file store.</summary>
internal sealed class Message : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public Guid ConversationId { get; init; }

    public required string Kind { get; init; }

    public Guid? AuthorId { get; init; }

    public required string Body { get; init; }

    public string? AttachmentKey { get; set; }

    public string? AttachmentName { get; set; }

    public string? AttachmentType { get; set; }

    public long? AttachmentSize { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Read receipt: when the other side saw it.</summary>
    public DateTimeOffset? ReadAt { get; set; }

    /// <summary>CH-4: the provider's id of this message (a wamid, a Telegram chat:message, a Messenger mid, an email Message-ID); unique per workspace, so a provider's retry never duplicates it.</summary>
    public string? ExternalId { get; set; }

    /// <summary>What it is beyond text: image, audio, video, document, sticker, location, reaction, template, comment (null: text).</summary>
    public string? ContentKind { get; set; }

    /// <summary>The provider's reference to a media file it holds (a media id, a file id, a URL).</summary>
    public string? MediaReference { get; set; }

    /// <summary>The provider id of the message this one answers or reacts to.</summary>
    public string? ReplyToExternalId { get; set; }

    /// <summary>Outbound over a provider channel: queued, sent, delivered, read or failed (<see cref="DeliveryStatus"/>).</summary>
    public string? Delivery { get; set; }

    /// <summary>Why delivery failed, as the provider said it.</summary>
    public string? DeliveryError { get; set; }
}

/// <summary>CH-4: where an outbound channel message is; a status only moves forward (sent → delivered → read), failed is final.</summary>
internal static class DeliveryStatus
{
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Read = "read";
    public const string Failed = "failed";

    public static int Rank(string? status) => status switch
    {
        Queued => 0,
        Sent => 1,
        Delivered => 2,
        Read => 3,
        Failed => 4,
        _ => -1,
    };
}

internal sealed class ConversationLabel : IWorkspaceOwned
{
    public Guid ConversationId { get; init; }

    public Guid LabelId { get; init; }

    public Guid WorkspaceId { get; set; }
}

/// <summary>Presence of an agent (online, away, offline).</summary>
internal static class PresenceStatus
{
    public const string Online = "online";
    public const string Away = "away";
    public const string Offline = "offline";

    public static IReadOnlyList<string> All { get; } = [Online, Away, Offline];
}

/// <summary>
/// An agent in one workspace's inbox: presence, capacity and load (INB-3) and notification
/// preferences (NOT-1). <see cref="OpenCount"/> changes in the same transaction as every assign,
/// unassign, resolve, snooze and transfer, and is rebuilt by the nightly safety net.
/// </summary>
internal sealed class AgentState : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }

    public Guid UserId { get; init; }

    public string Presence { get; set; } = PresenceStatus.Offline;

    /// <summary>The last heartbeat; online counts only within the grace window after it.</summary>
    public DateTimeOffset? LastSeenAt { get; set; }

    /// <summary>Null: the workspace's default capacity.</summary>
    public int? Capacity { get; set; }

    public int OpenCount { get; set; }

    /// <summary>Orders agents by their last assignment (rotation, and ties of the minimum workload).</summary>
    public long LastAssignedSeq { get; set; }

    public string SoundOnMessage { get; set; } = Sounds.Chime;

    public string SoundOnAssignment { get; set; } = Sounds.Bell;

    public bool BrowserNotifications { get; set; } = true;

    public bool EmailOnAssignment { get; set; } = true;

    public bool EmailOnMention { get; set; } = true;

    /// <summary>TKT-6 near-breach and breach emails of the tickets this agent hears about.</summary>
    public bool EmailOnSlaWarning { get; set; } = true;

    public bool EmailOnSlaBreach { get; set; } = true;
}

/// <summary>NOT-1: the sounds an agent can choose (files under wwwroot/sounds), or none.</summary>
internal static class Sounds
{
    public const string None = "none";
    public const string Chime = "chime";
    public const string Bell = "bell";
    public const string Pop = "pop";

    public static IReadOnlyList<string> All { get; } = [None, Chime, Bell, Pop];
}

/// <summary>★ Explainable routing: one decision, with every candidate, each filter's verdict, and why the winner won.</summary>
internal sealed class RoutingDecision : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public Guid ConversationId { get; init; }

    public DateTimeOffset DecidedAt { get; init; }

    public required string Trigger { get; init; }

    public required string Mode { get; init; }

    public Guid? WinnerId { get; init; }

    /// <summary>JSON: <see cref="RoutingExplanation"/>.</summary>
    public required string Explanation { get; init; }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> builder)
    {
        builder.ToTable("Contacts");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.Email).HasMaxLength(254);
        builder.Property(c => c.Phone).HasMaxLength(20);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.WorkspaceId, c.Email });
        builder.HasIndex(c => new { c.WorkspaceId, c.Phone });
    }
}

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable("Conversations");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Channel).HasMaxLength(20);
        // Status and assignee are compare-and-set: two agents taking one conversation cannot both win.
        builder.Property(c => c.Status).HasMaxLength(20).IsConcurrencyToken();
        builder.Property(c => c.AssigneeId).IsConcurrencyToken();
        builder.Property(c => c.LastMessagePreview).HasMaxLength(200);
        builder.Property(c => c.VisitorTokenHash).HasMaxLength(64);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Contact>().WithMany().HasForeignKey(c => c.ContactId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Department>().WithMany().HasForeignKey(c => c.DepartmentId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.AssigneeId).OnDelete(DeleteBehavior.SetNull);
        // The inbox's views: by status (All), and by assignee and status (Mine, Unassigned), newest activity first.
        builder.HasIndex(c => new { c.WorkspaceId, c.Status, c.LastActivityAt });
        builder.HasIndex(c => new { c.WorkspaceId, c.AssigneeId, c.Status, c.LastActivityAt });
        builder.HasIndex(c => new { c.WorkspaceId, c.DepartmentId, c.QueuedAt });
        builder.HasIndex(c => c.ContactId);
        builder.HasIndex(c => c.VisitorTokenHash).IsUnique();
        builder.Property(c => c.Thread).HasMaxLength(254);
        builder.Property(c => c.Subject).HasMaxLength(200);
        builder.HasIndex(c => new { c.ChannelId, c.Thread, c.CreatedAt });
    }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.ToTable("Messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Kind).HasMaxLength(20);
        builder.Property(m => m.Body).HasMaxLength(Conversations.MaxBody);
        builder.Property(m => m.AttachmentKey).HasMaxLength(200);
        builder.Property(m => m.AttachmentName).HasMaxLength(200);
        builder.Property(m => m.AttachmentType).HasMaxLength(40);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => new { m.ConversationId, m.CreatedAt });
        builder.Property(m => m.ExternalId).HasMaxLength(300);
        builder.Property(m => m.ContentKind).HasMaxLength(20);
        builder.Property(m => m.MediaReference).HasMaxLength(1000);
        builder.Property(m => m.ReplyToExternalId).HasMaxLength(300);
        builder.Property(m => m.Delivery).HasMaxLength(20);
        builder.Property(m => m.DeliveryError).HasMaxLength(500);
        builder.HasIndex(m => new { m.WorkspaceId, m.ExternalId }).IsUnique().HasFilter("\"ExternalId\" IS NOT NULL");
    }
}

internal sealed class ConversationLabelConfiguration : IEntityTypeConfiguration<ConversationLabel>
{
    public void Configure(EntityTypeBuilder<ConversationLabel> builder)
    {
        builder.ToTable("ConversationLabels");
        builder.HasKey(l => new { l.ConversationId, l.LabelId });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(l => l.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Label>().WithMany().HasForeignKey(l => l.LabelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(l => new { l.WorkspaceId, l.LabelId });
    }
}

internal sealed class AgentStateConfiguration : IEntityTypeConfiguration<AgentState>
{
    public void Configure(EntityTypeBuilder<AgentState> builder)
    {
        builder.ToTable("AgentStates");
        builder.HasKey(a => new { a.WorkspaceId, a.UserId });
        builder.Property(a => a.Presence).HasMaxLength(10);
        builder.Property(a => a.SoundOnMessage).HasMaxLength(10);
        builder.Property(a => a.SoundOnAssignment).HasMaxLength(10);
        builder.Property(a => a.EmailOnSlaWarning).HasDefaultValue(true);
        builder.Property(a => a.EmailOnSlaBreach).HasDefaultValue(true);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RoutingDecisionConfiguration : IEntityTypeConfiguration<RoutingDecision>
{
    public void Configure(EntityTypeBuilder<RoutingDecision> builder)
    {
        builder.ToTable("RoutingDecisions");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Trigger).HasMaxLength(30);
        builder.Property(d => d.Mode).HasMaxLength(20);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(d => d.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.ConversationId, d.DecidedAt });
    }
}
