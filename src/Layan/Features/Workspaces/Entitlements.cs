using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Workspaces;

/// <summary>PLAN-1: the features a workspace can subscribe to, and what each allows without it.</summary>
internal static class PlanFeatures
{
    public const string DistributeChat = "distribute_chat";
    public const string Ticket = "ticket";
    public const string QuickReply = "quick_reply";
    public const string Label = "label";
    public const string Department = "department";
    public const string Channel = "channel";
    public const string Survey = "survey";

    public static IReadOnlyList<string> All { get; } = [DistributeChat, Ticket, QuickReply, Label, Department, Channel, Survey];

    /// <summary>The quota without a subscription (PLAN-1); 0 means locked or off.</summary>
    public static int FreeQuota(string feature) => feature switch
    {
        Department => 1,
        Label => 5,
        QuickReply => 5,
        Channel => 3, // besides WhatsApp and email
        _ => 0,
    };
}

/// <summary>A workspace's monthly subscription to one feature; it counts until <see cref="PeriodEnd"/>.</summary>
internal sealed class Subscription : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public required string Feature { get; init; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset PeriodEnd { get; set; }

    /// <summary>Unsubscribed: it still counts until <see cref="PeriodEnd"/>, then is not renewed.</summary>
    public bool CancelAtPeriodEnd { get; set; }
}

internal sealed class SubscriptionConfiguration : IEntityTypeConfiguration<Subscription>
{
    public void Configure(EntityTypeBuilder<Subscription> builder)
    {
        builder.ToTable("Subscriptions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Feature).HasMaxLength(30);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.WorkspaceId, s.Feature }).IsUnique();
    }
}

/// <summary>What a workspace may use now: subscribed features are unlimited; others have their free quota.</summary>
internal sealed class Entitlements(LayanDbContext db, TimeProvider clock)
{
    public async Task<bool> SubscribedAsync(Guid workspaceId, string feature, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await db.Set<Subscription>().AnyAsync(s => s.WorkspaceId == workspaceId && s.Feature == feature && s.PeriodEnd > now, cancellationToken);
    }

    public async Task<int> QuotaAsync(Guid workspaceId, string feature, CancellationToken cancellationToken) =>
        await SubscribedAsync(workspaceId, feature, cancellationToken) ? int.MaxValue : PlanFeatures.FreeQuota(feature);
}
