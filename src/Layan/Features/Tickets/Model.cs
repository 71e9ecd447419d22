using Layan.Features.Accounts;
using Layan.Features.Inbox;
using Layan.Features.Tickets.Sla;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Tickets;

/// <summary>TKT-1's statuses, in the order work usually moves through them.</summary>
internal static class TicketStatus
{
    public const string Open = "open";
    public const string InProgress = "in_progress";
    public const string PendingCustomer = "pending_customer";
    public const string ProposedResolution = "proposed_resolution";
    public const string Resolved = "resolved";
    public const string Closed = "closed";

    public static IReadOnlyList<string> All { get; } = [Open, InProgress, PendingCustomer, ProposedResolution, Resolved, Closed];

    /// <summary>Resolved and closed tickets are done: TKT-4's "resolved" access rule guards them.</summary>
    public static bool IsDone(string status) => status is Resolved or Closed;
}

/// <summary>TKT-1's priority (the customer's weight); severity is 1 (critical) to 4 (low), CARE-3.</summary>
internal static class TicketPriority
{
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public const string Urgent = "urgent";

    public static IReadOnlyList<string> All { get; } = [Low, Medium, High, Urgent];
}

/// <summary>Why a ticket was resolved the moment it was made (TKT-5).</summary>
internal static class AutoCloseReasons
{
    public const string Blacklisted = "blacklisted";
}

/// <summary>The kinds of a ticket's timeline entries.</summary>
internal static class TicketEventKinds
{
    public const string Created = "created";
    public const string Changed = "changed";
    public const string Comment = "comment";
    public const string Note = "note";
    public const string Linked = "linked";
    public const string AutoClosed = "auto_closed";
    public const string SlaWarning = "sla_warning";
    public const string SlaBreached = "sla_breached";
    public const string CustomerReplied = "customer_replied";
    public const string RulesApplied = "rules_applied";
}

/// <summary>A workspace's ticket settings (seed 004's Ticket Messages, Ticket Access, Converse as Ticket, Autoclosed Inbound as Ticket).</summary>
internal sealed class TicketSettings : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }

    /// <summary>TKT-1: put before the number (<c>CS</c> → <c>CS-000123</c>).</summary>
    public string Prefix { get; set; } = "CS";

    /// <summary>The last number given; the next ticket takes this + 1 (with this row held).</summary>
    public long LastNumber { get; set; }

    /// <summary>TKT-2 as chosen; in effect only while the Ticket feature is subscribed.</summary>
    public bool InboundAsTicket { get; set; }

    /// <summary>TKT-5: inbound from a blacklisted email or phone makes a ticket resolved at once.</summary>
    public bool AutoCloseBlacklisted { get; set; }

    /// <summary>TKT-3: whether the first matching rule fires (<c>first</c>) or every matching one in order (<c>all</c>).</summary>
    public string RulesMatch { get; set; } = Rules.RuleMatch.First;

    /// <summary>TKT-4: roles (comma-separated) that may edit tickets in progress; Administrators always may.</summary>
    public string EditInProgressRoles { get; set; } = $"{WorkspaceRoles.Supervisor},{WorkspaceRoles.Agent}";

    /// <summary>TKT-4: roles that may edit (and reopen) resolved and closed tickets; Administrators always may.</summary>
    public string EditResolvedRoles { get; set; } = WorkspaceRoles.Supervisor;
}

internal sealed class Ticket : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public long Number { get; init; }

    public required string Subject { get; set; }

    public string? Description { get; set; }

    public string Status { get; set; } = TicketStatus.Open;

    public string Priority { get; set; } = TicketPriority.Medium;

    public int Severity { get; set; } = 3;

    public Guid? AssigneeId { get; set; }

    public Guid? DepartmentId { get; set; }

    public Guid? ContactId { get; set; }

    public Guid? PolicyId { get; set; }

    public Guid? CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>Set when the ticket was resolved as it was made, and why (TKT-5).</summary>
    public string? AutoClosedReason { get; set; }
}

/// <summary>TKT-1: a conversation the ticket is about.</summary>
internal sealed class TicketConversation : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }

    public Guid TicketId { get; init; }

    public Guid ConversationId { get; init; }
}

internal sealed class TicketLabel : IWorkspaceOwned
{
    public Guid WorkspaceId { get; set; }

    public Guid TicketId { get; init; }

    public Guid LabelId { get; init; }
}

/// <summary>One entry of a ticket's timeline: every change (with before and after), comment, note and SLA notice.</summary>
internal sealed class TicketEvent : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public Guid TicketId { get; init; }

    public DateTimeOffset At { get; init; }

    public Guid? ActorId { get; init; }

    public required string Kind { get; init; }

    /// <summary>JSON: the change's before/after, a comment's body, a notice's target.</summary>
    public string? Data { get; init; }
}

/// <summary>TKT-5: an email (lower case) or phone (E.164) whose inbound tickets are resolved at once.</summary>
internal sealed class BlacklistEntry : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    /// <summary><c>email</c> or <c>phone</c>.</summary>
    public required string Kind { get; init; }

    public required string Value { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class TicketSettingsConfiguration : IEntityTypeConfiguration<TicketSettings>
{
    public void Configure(EntityTypeBuilder<TicketSettings> builder)
    {
        builder.ToTable("TicketSettings");
        builder.HasKey(s => s.WorkspaceId);
        builder.Property(s => s.Prefix).HasMaxLength(10);
        builder.Property(s => s.EditInProgressRoles).HasMaxLength(100);
        builder.Property(s => s.EditResolvedRoles).HasMaxLength(100);
        builder.Property(s => s.RulesMatch).HasMaxLength(5).HasDefaultValue(Rules.RuleMatch.First);
        builder.HasOne<Workspace>().WithOne().HasForeignKey<TicketSettings>(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TicketConfiguration : IEntityTypeConfiguration<Ticket>
{
    public void Configure(EntityTypeBuilder<Ticket> builder)
    {
        builder.ToTable("Tickets");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Subject).HasMaxLength(200);
        builder.Property(t => t.Description).HasMaxLength(10_000);
        builder.Property(t => t.Status).HasMaxLength(30).IsConcurrencyToken();
        builder.Property(t => t.Priority).HasMaxLength(10);
        builder.Property(t => t.AutoClosedReason).HasMaxLength(30);
        builder.Property(t => t.UpdatedAt).IsConcurrencyToken();
        builder.HasOne<Workspace>().WithMany().HasForeignKey(t => t.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(t => t.AssigneeId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Department>().WithMany().HasForeignKey(t => t.DepartmentId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Contact>().WithMany().HasForeignKey(t => t.ContactId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<SlaPolicy>().WithMany().HasForeignKey(t => t.PolicyId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(t => new { t.WorkspaceId, t.Number }).IsUnique();
        builder.HasIndex(t => new { t.WorkspaceId, t.Status, t.UpdatedAt });
    }
}

internal sealed class TicketConversationConfiguration : IEntityTypeConfiguration<TicketConversation>
{
    public void Configure(EntityTypeBuilder<TicketConversation> builder)
    {
        builder.ToTable("TicketConversations");
        builder.HasKey(l => new { l.TicketId, l.ConversationId });
        builder.HasOne<Ticket>().WithMany().HasForeignKey(l => l.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(l => l.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(l => l.ConversationId);
    }
}

internal sealed class TicketLabelConfiguration : IEntityTypeConfiguration<TicketLabel>
{
    public void Configure(EntityTypeBuilder<TicketLabel> builder)
    {
        builder.ToTable("TicketLabels");
        builder.HasKey(l => new { l.TicketId, l.LabelId });
        builder.HasOne<Ticket>().WithMany().HasForeignKey(l => l.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Label>().WithMany().HasForeignKey(l => l.LabelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(l => l.LabelId);
    }
}

internal sealed class TicketEventConfiguration : IEntityTypeConfiguration<TicketEvent>
{
    public void Configure(EntityTypeBuilder<TicketEvent> builder)
    {
        builder.ToTable("TicketEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Kind).HasMaxLength(30);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.TicketId, e.At });
    }
}

internal sealed class BlacklistEntryConfiguration : IEntityTypeConfiguration<BlacklistEntry>
{
    public void Configure(EntityTypeBuilder<BlacklistEntry> builder)
    {
        builder.ToTable("TicketBlacklist");
        builder.HasKey(b => b.Id);
        builder.Property(b => b.Kind).HasMaxLength(10);
        builder.Property(b => b.Value).HasMaxLength(254);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(b => b.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(b => new { b.WorkspaceId, b.Value }).IsUnique();
    }
}
