using Layan.Features.Accounts;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Workspaces;

/// <summary>ONB-1: who a workspace is for.</summary>
internal static class WorkspaceTypes
{
    public const string Individual = "individual";
    public const string Business = "business";

    public static IReadOnlyList<string> All { get; } = [Individual, Business];
}

/// <summary>
/// Where a workspace is in opening (ONB-3, ONB-4): <c>draft</c> while the applicant gathers
/// documents, <c>submitted</c>, <c>in_review</c> once a reviewer claims it,
/// <c>changes_requested</c>, <c>approved</c> (waiting for the activation link), <c>rejected</c>,
/// and <c>active</c>. Only an active workspace can be used.
/// </summary>
internal static class WorkspaceStatus
{
    public const string Draft = "draft";
    public const string Submitted = "submitted";
    public const string InReview = "in_review";
    public const string ChangesRequested = "changes_requested";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Active = "active";

    public static IReadOnlyList<string> All { get; } = [Draft, Submitted, InReview, ChangesRequested, Approved, Rejected, Active];

    /// <summary>Documents may be uploaded (all of them in a draft, only those asked for after a review).</summary>
    public static bool AcceptsDocuments(string status) => status is Draft or ChangesRequested;
}

/// <summary>A person's role in one workspace (ONB-6; the permission table comes with WS-1).</summary>
internal static class WorkspaceRoles
{
    public const string Administrator = "administrator";
    public const string Supervisor = "supervisor";
    public const string Agent = "agent";

    public static IReadOnlyList<string> All { get; } = [Administrator, Supervisor, Agent];
}

/// <summary>A workspace: the tenant every later feature lives in (ONB-1).</summary>
internal sealed class Workspace
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string Name { get; set; }

    public required string Type { get; init; }

    /// <summary>ISO 3166-1 alpha-2, upper case.</summary>
    public required string Country { get; init; }

    /// <summary>An IANA time zone id.</summary>
    public required string TimeZone { get; set; }

    public required string DefaultLanguage { get; set; }

    public string Status { get; set; } = WorkspaceStatus.Draft;

    public Guid CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? SubmittedAt { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    /// <summary>The reviewer's reason for a rejection, shown to the applicant.</summary>
    public string? DecisionReason { get; set; }

    /// <summary>ONB-3: the reviewer working the application, until <see cref="ClaimExpiresAt"/>.</summary>
    public Guid? ClaimedBy { get; set; }

    public DateTimeOffset? ClaimExpiresAt { get; set; }

    public string? ActivationTokenHash { get; set; }

    public DateTimeOffset? ActivationExpiresAt { get; set; }

    public DateTimeOffset? ActivatedAt { get; set; }

    /// <summary>ONB-5: the next step of the setup wizard, or null once it is done or skipped to the end.</summary>
    public string? SetupStep { get; set; }

    /// <summary>ONB-5: opening hours as JSON (<see cref="Onboarding.BusinessHours"/>).</summary>
    public string? BusinessHours { get; set; }

    /// <summary>NOT-1 defaults for the workspace: email for assignments and mentions when offline.</summary>
    public bool NotifyByEmail { get; set; } = true;

    /// <summary>NOT-1 defaults: a sound for new messages.</summary>
    public bool NotifyWithSound { get; set; } = true;

    /// <summary>PLAN-2: <c>online_prepaid</c> (the Shop) or <c>managed</c> (operator staff).</summary>
    public string BillingMode { get; set; } = BillingModes.OnlinePrepaid;

    /// <summary>★ What agents see: <c>all</c> conversations or only their <c>departments</c>'.</summary>
    public string AgentVisibility { get; set; } = Workspaces.AgentVisibility.All;

    /// <summary>INB-3: the routing mode chosen; in effect only while Distribute Chat counts.</summary>
    public string RoutingMode { get; set; } = RoutingModes.OpenAssignment;

    /// <summary>★ The number of the workspace's last event (realtime); taken by UPDATE, one at a time.</summary>
    public long LastEventSequence { get; set; }

    /// <summary>INB-3: how many open conversations an agent takes unless their own capacity is set.</summary>
    public int DefaultCapacity { get; set; } = 5;

    /// <summary>★ Self-healing: reassign when the assignee has not answered within this many minutes; null is off.</summary>
    public int? ReassignAfterMinutes { get; set; }

    /// <summary>Presence: an agent idle this many minutes becomes away; 0 never.</summary>
    public int AwayAfterMinutes { get; set; } = 15;

    /// <summary>HLP-4 widget pre-chat form: which fields it asks (all optional for the visitor).</summary>
    public bool WidgetAskName { get; set; } = true;

    public bool WidgetAskEmail { get; set; } = true;

    public bool WidgetAskDepartment { get; set; }

    /// <summary>HLP-4 identity verification: the key sites sign their user's email with (HMAC-SHA256); null until generated.</summary>
    public string? WidgetSecret { get; set; }
}

/// <summary>
/// A person's place in a workspace (ONB-6). Read by the person across all their workspaces (the
/// switcher), so it is not filtered to the current workspace; every read names the user.
/// </summary>
internal sealed class WorkspaceMember
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; init; }

    public Guid UserId { get; init; }

    public required string Role { get; set; }

    public DateTimeOffset JoinedAt { get; init; }

    public bool Active { get; set; } = true;
}

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.ToTable("Workspaces");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Name).HasMaxLength(100);
        builder.Property(w => w.Type).HasMaxLength(20);
        builder.Property(w => w.Country).HasMaxLength(2);
        builder.Property(w => w.TimeZone).HasMaxLength(64);
        builder.Property(w => w.DefaultLanguage).HasMaxLength(5);
        // Every status change and claim is a compare-and-set: two at once cannot both win.
        builder.Property(w => w.Status).HasMaxLength(20).IsConcurrencyToken();
        builder.Property(w => w.ClaimedBy).IsConcurrencyToken();
        builder.Property(w => w.DecisionReason).HasMaxLength(2000);
        builder.Property(w => w.ActivationTokenHash).HasMaxLength(64);
        builder.Property(w => w.SetupStep).HasMaxLength(20);
        builder.Property(w => w.BusinessHours).HasMaxLength(4000);
        builder.Property(w => w.BillingMode).HasMaxLength(20).HasDefaultValue(BillingModes.OnlinePrepaid);
        builder.Property(w => w.AgentVisibility).HasMaxLength(20).HasDefaultValue(Workspaces.AgentVisibility.All);
        builder.Property(w => w.RoutingMode).HasMaxLength(20).HasDefaultValue(RoutingModes.OpenAssignment);
        builder.Property(w => w.LastEventSequence).HasDefaultValue(0L);
        builder.Property(w => w.DefaultCapacity).HasDefaultValue(5);
        builder.Property(w => w.AwayAfterMinutes).HasDefaultValue(15);
        builder.Property(w => w.WidgetAskName).HasDefaultValue(true);
        builder.Property(w => w.WidgetAskEmail).HasDefaultValue(true);
        builder.Property(w => w.WidgetAskDepartment).HasDefaultValue(false);
        builder.Property(w => w.WidgetSecret).HasMaxLength(64);
        builder.HasOne<User>().WithMany().HasForeignKey(w => w.CreatedBy).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(w => new { w.Status, w.SubmittedAt });
    }
}

internal sealed class WorkspaceMemberConfiguration : IEntityTypeConfiguration<WorkspaceMember>
{
    public void Configure(EntityTypeBuilder<WorkspaceMember> builder)
    {
        builder.ToTable("WorkspaceMembers");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Role).HasMaxLength(20);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(m => m.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => new { m.WorkspaceId, m.UserId }).IsUnique();
        builder.HasIndex(m => m.UserId);
    }
}

/// <summary>ONB-2: one uploaded document of an application. A new upload of a kind replaces the current one.</summary>
internal sealed class WorkspaceDocument : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public required string Kind { get; init; }

    /// <summary>The name it was uploaded with, cleaned of paths and control characters (shown, never used as a path).</summary>
    public required string FileName { get; init; }

    /// <summary>As found in the bytes: application/pdf, image/jpeg or image/png.</summary>
    public required string ContentType { get; init; }

    public long Size { get; init; }

    public required string StorageKey { get; init; }

    public DateTimeOffset UploadedAt { get; init; }

    public Guid UploadedBy { get; init; }

    /// <summary>False once a newer upload of the same kind replaced it.</summary>
    public bool Current { get; set; } = true;

    /// <summary><c>pending</c>, <c>accepted</c>, <c>rejected</c> or <c>more_needed</c> (ONB-3).</summary>
    public string Verdict { get; set; } = DocumentVerdicts.Pending;

    public string? VerdictReason { get; set; }
}

internal static class DocumentVerdicts
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string MoreNeeded = "more_needed";

    public static IReadOnlyList<string> Decidable { get; } = [Accepted, Rejected, MoreNeeded];

    /// <summary>A verdict that asks the applicant for a new upload of this kind.</summary>
    public static bool AsksForUpload(string verdict) => verdict is Rejected or MoreNeeded;
}

internal sealed class WorkspaceDocumentConfiguration : IEntityTypeConfiguration<WorkspaceDocument>
{
    public void Configure(EntityTypeBuilder<WorkspaceDocument> builder)
    {
        builder.ToTable("WorkspaceDocuments");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Kind).HasMaxLength(40);
        builder.Property(d => d.FileName).HasMaxLength(200);
        builder.Property(d => d.ContentType).HasMaxLength(40);
        builder.Property(d => d.StorageKey).HasMaxLength(200);
        builder.Property(d => d.Verdict).HasMaxLength(20);
        builder.Property(d => d.VerdictReason).HasMaxLength(1000);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(d => d.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.WorkspaceId, d.Kind, d.Current });
        builder.HasIndex(d => new { d.WorkspaceId, d.Kind }).IsUnique().HasFilter("\"Current\"").HasDatabaseName("IX_WorkspaceDocuments_OneCurrentPerKind");
    }
}
