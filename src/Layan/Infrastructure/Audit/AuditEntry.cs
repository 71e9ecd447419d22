using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Infrastructure.Audit;

/// <summary>One administrative change: who, what, when, before and after.</summary>
internal sealed class AuditEntry
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Null for operator-level changes that belong to no workspace.</summary>
    public Guid? WorkspaceId { get; init; }

    public required string ActorId { get; init; }

    public required string Action { get; init; }

    public required string Subject { get; init; }

    public string? Before { get; init; }

    public string? After { get; init; }

    public string? Reason { get; init; }

    public string? IpAddress { get; init; }

    public DateTimeOffset OccurredAt { get; init; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditLog");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.ActorId).HasMaxLength(64);
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.Subject).HasMaxLength(200);
        builder.Property(e => e.Reason).HasMaxLength(500);
        builder.Property(e => e.IpAddress).HasMaxLength(45);
        builder.HasIndex(e => new { e.WorkspaceId, e.OccurredAt });
    }
}
