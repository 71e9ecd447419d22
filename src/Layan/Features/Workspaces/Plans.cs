using System.Text.Json;
using Layan.Features.Channels;
using Layan.Features.Onboarding;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Workspaces;

/// <summary>How a workspace pays: in the Shop by card (<c>online_prepaid</c>) or through its account manager (<c>managed</c>).</summary>
internal static class BillingModes
{
    public const string OnlinePrepaid = "online_prepaid";
    public const string Managed = "managed";
}

/// <summary>Section <c>Plans</c>: the monthly price of each feature in the Shop.</summary>
internal sealed class PlanOptions
{
    public const string Section = "Plans";

    public decimal MonthlyPrice { get; set; } = 10m;

    public string Currency { get; set; } = "USD";
}

/// <summary>PLAN-1: one feature as the Shop shows it.</summary>
internal sealed record FeatureState(string Feature, bool Subscribed, int? FreeQuota, DateTimeOffset? PeriodEnd, int? DaysLeft, bool CancelAtPeriodEnd);

internal static class PlanErrors
{
    public const string FeatureInvalid = "feature_invalid";
    public const string ManagedWorkspace = "managed_workspace";
    public const string PaymentMethodRequired = "payment_method_required";
    public const string NotManaged = "workspace_not_managed";
    public const string OwnWorkspace = "own_workspace";
}

/// <summary>
/// PLAN-1..3: the Shop of an online-prepaid workspace (subscribe monthly through the payment
/// provider, unsubscribe at the end of the period, resume before it ends) and the renewals and
/// lapses at each period's end, driven by a due-work timer per subscription. Whenever a feature
/// starts or stops counting, <see cref="Revocation"/> applies its rules. Managed workspaces are
/// changed by operator staff only.
/// </summary>
internal sealed class Plans(
    LayanDbContext db,
    IPaymentProvider payments,
    DueWorkScheduler timers,
    Revocation revocation,
    AuditLog audit,
    IOptions<PlanOptions> options,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<FeatureState>> StatusAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var subscriptions = await db.Set<Subscription>().Where(s => s.WorkspaceId == workspaceId).ToListAsync(cancellationToken);
        return [.. PlanFeatures.All.Select(feature =>
        {
            var live = subscriptions.SingleOrDefault(s => s.Feature == feature && s.PeriodEnd > now);
            var free = PlanFeatures.FreeQuota(feature);
            return new FeatureState(
                feature, live is not null, live is null ? free : null, live?.PeriodEnd,
                live is null ? null : (int)Math.Ceiling((live.PeriodEnd - now).TotalDays), live?.CancelAtPeriodEnd ?? false);
        })];
    }

    /// <summary>Subscribes (a month, charged now), or resumes a subscription that was going to end.</summary>
    public async Task<Result<IReadOnlyList<FeatureState>>> SubscribeAsync(WorkspaceMembership access, string? feature, CancellationToken cancellationToken)
    {
        if (!PlanFeatures.All.Contains(feature))
        {
            return new Failure(PlanErrors.FeatureInvalid, "feature");
        }
        if (access.Workspace.BillingMode == BillingModes.Managed)
        {
            return new Failure(PlanErrors.ManagedWorkspace, "feature");
        }
        var now = clock.GetUtcNow();
        var subscription = await db.Set<Subscription>().SingleOrDefaultAsync(s => s.WorkspaceId == access.WorkspaceId && s.Feature == feature, cancellationToken);
        if (subscription is { } running && running.PeriodEnd > now)
        {
            var before = new { running.PeriodEnd, running.CancelAtPeriodEnd };
            running.CancelAtPeriodEnd = false; // resumed: it renews at the end of the period
            audit.Record("subscription.resumed", $"subscriptions/{feature}", before, new { running.PeriodEnd, running.CancelAtPeriodEnd }, actorId: access.Member.UserId.ToString());
            await db.SaveChangesAsync(cancellationToken);
            await revocation.ApplyAsync(access.WorkspaceId, feature!, cancellationToken); // idempotent: repairs an interrupted start
            return Result<IReadOnlyList<FeatureState>>.From(await StatusAsync(access.WorkspaceId, cancellationToken));
        }
        subscription ??= new Subscription { WorkspaceId = access.WorkspaceId, Feature = feature! };
        if (await ChargeAsync(subscription, now, cancellationToken) is { } refused)
        {
            return refused;
        }
        if (db.Entry(subscription).State == EntityState.Detached)
        {
            db.Add(subscription);
        }
        (subscription.StartedAt, subscription.PeriodEnd, subscription.CancelAtPeriodEnd) = (now, now.AddMonths(1), false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ArmPeriodEndAsync(subscription, cancellationToken);
        audit.Record("subscription.started", $"subscriptions/{feature}", null, new { subscription.PeriodEnd }, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        await revocation.ApplyAsync(access.WorkspaceId, feature!, cancellationToken); // in the same transaction: paid means restored
        await transaction.CommitAsync(cancellationToken);
        return Result<IReadOnlyList<FeatureState>>.From(await StatusAsync(access.WorkspaceId, cancellationToken));
    }

    /// <summary>PLAN-3: unsubscribing takes effect at the end of the period already paid for.</summary>
    public async Task<Result<IReadOnlyList<FeatureState>>> UnsubscribeAsync(WorkspaceMembership access, string? feature, CancellationToken cancellationToken)
    {
        if (access.Workspace.BillingMode == BillingModes.Managed)
        {
            return new Failure(PlanErrors.ManagedWorkspace, "feature");
        }
        var now = clock.GetUtcNow();
        var subscription = await db.Set<Subscription>().SingleOrDefaultAsync(s => s.WorkspaceId == access.WorkspaceId && s.Feature == feature && s.PeriodEnd > now, cancellationToken);
        if (subscription is null)
        {
            return new Failure(PlanErrors.FeatureInvalid, "feature");
        }
        subscription.CancelAtPeriodEnd = true;
        audit.Record("subscription.cancelled", $"subscriptions/{feature}", null, new { subscription.PeriodEnd }, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return Result<IReadOnlyList<FeatureState>>.From(await StatusAsync(access.WorkspaceId, cancellationToken));
    }

    /// <summary>PLAN-2: operator staff set a managed workspace's subscription (a period end, or none to end it now).</summary>
    public async Task<Result<IReadOnlyList<FeatureState>>> SetManagedAsync(Guid workspaceId, string feature, DateTimeOffset? periodEnd, string actorId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var workspace = await db.Set<Workspace>().AsNoTracking().SingleAsync(w => w.Id == workspaceId, cancellationToken);
        if (workspace.BillingMode != BillingModes.Managed)
        {
            return new Failure(PlanErrors.NotManaged, "feature"); // a card-paid subscription is the customer's
        }
        if (Guid.TryParse(actorId, out var actor) &&
            await db.Set<WorkspaceMember>().AnyAsync(m => m.WorkspaceId == workspaceId && m.UserId == actor, cancellationToken))
        {
            return new Failure(PlanErrors.OwnWorkspace, "feature"); // nobody grants their own workspace features
        }
        var subscription = await db.Set<Subscription>().SingleOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.Feature == feature, cancellationToken)
            ?? db.Set<Subscription>().Add(new Subscription { WorkspaceId = workspaceId, Feature = feature, StartedAt = now }).Entity;
        var before = new { subscription.PeriodEnd };
        (subscription.PeriodEnd, subscription.CancelAtPeriodEnd) = (periodEnd ?? now, true);
        if (periodEnd > now)
        {
            await ArmPeriodEndAsync(subscription, cancellationToken);
        }
        audit.Record("subscription.set_by_operator", $"subscriptions/{feature}", before, new { periodEnd }, actorId: actorId, workspaceId: workspaceId);
        await db.SaveChangesAsync(cancellationToken);
        await revocation.ApplyAsync(workspaceId, feature, cancellationToken);
        return Result<IReadOnlyList<FeatureState>>.From(await StatusAsync(workspaceId, cancellationToken));
    }

    /// <summary>PLAN-2: operator staff move a workspace between the Shop and account management.</summary>
    public async Task<bool> SetBillingModeAsync(Guid workspaceId, string mode, string actorId, CancellationToken cancellationToken)
    {
        var workspace = await db.Set<Workspace>().SingleOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
        if (workspace is null || mode is not (BillingModes.OnlinePrepaid or BillingModes.Managed))
        {
            return false;
        }
        audit.Record("workspace.billing_mode", $"workspaces/{workspaceId}", new { workspace.BillingMode }, new { BillingMode = mode }, actorId: actorId, workspaceId: workspaceId);
        workspace.BillingMode = mode;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public Task<Workspace?> ActiveWorkspaceAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        db.Set<Workspace>().AsNoTracking().SingleOrDefaultAsync(w => w.Id == workspaceId && w.Status == WorkspaceStatus.Active, cancellationToken);

    /// <summary>Active workspaces for operator staff, by name, paged; <paramref name="search"/> matches the name.</summary>
    public async Task<(IReadOnlyList<Workspace> Items, int Total)> ActiveWorkspacesAsync(string? search, int page, CancellationToken cancellationToken)
    {
        var query = db.Set<Workspace>().AsNoTracking().Where(w => w.Status == WorkspaceStatus.Active);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(w => w.Name.Contains(term));
        }
        var items = await query.OrderBy(w => w.Name).ThenBy(w => w.Id).Skip((Math.Max(page, 1) - 1) * 20).Take(20).ToListAsync(cancellationToken);
        return (items, await query.CountAsync(cancellationToken));
    }

    /// <summary>At a period's end: renew (charged) unless unsubscribed or the card fails; else the feature lapses.</summary>
    public async Task PeriodEndAsync(Guid subscriptionId, CancellationToken cancellationToken)
    {
        var subscription = await db.Set<Subscription>().SingleOrDefaultAsync(s => s.Id == subscriptionId, cancellationToken);
        var now = clock.GetUtcNow();
        if (subscription is null || subscription.PeriodEnd > now)
        {
            return; // renewed or changed since this timer was set
        }
        var workspace = await db.Set<Workspace>().AsNoTracking().SingleAsync(w => w.Id == subscription.WorkspaceId, cancellationToken);
        if (!subscription.CancelAtPeriodEnd && workspace.BillingMode == BillingModes.OnlinePrepaid &&
            await ChargeAsync(subscription, subscription.PeriodEnd, cancellationToken) is null)
        {
            subscription.PeriodEnd = subscription.PeriodEnd.AddMonths(1);
            await ArmPeriodEndAsync(subscription, cancellationToken);
            audit.Record("subscription.renewed", $"subscriptions/{subscription.Feature}", null, new { subscription.PeriodEnd }, workspaceId: subscription.WorkspaceId);
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        audit.Record("subscription.lapsed", $"subscriptions/{subscription.Feature}", null, new { subscription.PeriodEnd }, workspaceId: subscription.WorkspaceId);
        await db.SaveChangesAsync(cancellationToken);
        await revocation.ApplyAsync(subscription.WorkspaceId, subscription.Feature, cancellationToken);
    }

    // Charges a month from periodStart with the card on file; the key names the subscription and
    // the period, so a retried charge for one period happens once and another period is charged anew.
    private async Task<Failure?> ChargeAsync(Subscription subscription, DateTimeOffset periodStart, CancellationToken cancellationToken)
    {
        var card = await db.Set<PaymentMethod>().AsNoTracking().FirstOrDefaultAsync(p => p.WorkspaceId == subscription.WorkspaceId, cancellationToken);
        if (card is null)
        {
            return new Failure(PlanErrors.PaymentMethodRequired, "feature");
        }
        var key = $"{subscription.Id:N}:{periodStart.UtcDateTime:yyyyMMddHHmmss}:{card.Token}";
        var charged = await payments.ChargeAsync(card.Token, options.Value.MonthlyPrice, options.Value.Currency, key, cancellationToken);
        return charged.Succeeded ? null : charged.Errors[0];
    }

    private Task<DueWork> ArmPeriodEndAsync(Subscription subscription, CancellationToken cancellationToken) =>
        timers.ScheduleAsync(PeriodEndHandler.KindName, new SubscriptionRef(subscription.Id), subscription.PeriodEnd, $"plans.period-end:{subscription.Id:N}", cancellationToken);
}

internal sealed record SubscriptionRef(Guid SubscriptionId);

internal sealed class PeriodEndHandler(Plans plans) : IWorkHandler<DueWork>
{
    public const string KindName = "plans.period-end";

    public string Kind => KindName;

    public Task HandleAsync(DueWork item, CancellationToken cancellationToken) =>
        plans.PeriodEndAsync(JsonSerializer.Deserialize<SubscriptionRef>(item.Payload, JsonSerializerOptions.Web)!.SubscriptionId, cancellationToken);
}

/// <summary>
/// PLAN-3, the one place that applies what a lapsed feature takes away and gives it back when
/// the feature returns. Items are never deleted, only marked Revoked. Department (WS-3):
/// non-default departments are Revoked while the feature is off; labels (LBL-1) and quick replies
/// (QR-2): all but the defaults; channels (CH-3): all but the defaults, WhatsApp and email. Surveys (SRV-5), Distribute Chat (INB-3) and
/// Ticket (TKT-2) add their rule here with their features.
/// </summary>
internal sealed class Revocation(LayanDbContext db, Entitlements entitlements, AuditLog audit, DueWorkScheduler timers, TimeProvider clock)
{
    /// <summary>WS-3: open conversations still in Revoked departments this long after the lapse are moved to the Main Department.</summary>
    public static readonly TimeSpan MoveRevokedAfter = TimeSpan.FromDays(7);

    /// <summary>The timer kind that moves them (handled by the inbox).</summary>
    public const string MoveRevokedKind = "departments.move-revoked";

    public async Task ApplyAsync(Guid workspaceId, string feature, CancellationToken cancellationToken)
    {
        var subscribed = await entitlements.SubscribedAsync(workspaceId, feature, cancellationToken);
        var changed = feature switch
        {
            PlanFeatures.Department => await db.Set<Department>()
                .Where(d => d.WorkspaceId == workspaceId && !d.IsDefault && d.Revoked == subscribed)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Revoked, !subscribed), cancellationToken),
            PlanFeatures.Label => await RevokeNonDefaultAsync<Label>(workspaceId, subscribed, cancellationToken),
            PlanFeatures.QuickReply => await RevokeNonDefaultAsync<QuickReply>(workspaceId, subscribed, cancellationToken),
            // CH-3: only default channels keep sending and receiving; WhatsApp and email are always included.
            PlanFeatures.Channel => await db.Set<Channel>().Counted()
                .Where(c => c.WorkspaceId == workspaceId && !c.IsDefault && c.Revoked == subscribed)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Revoked, !subscribed), cancellationToken),
            _ => 0,
        };
        if (changed > 0)
        {
            audit.Record(subscribed ? "revocation.restored" : "revocation.applied", $"features/{feature}", null, new { items = changed }, workspaceId: workspaceId);
            if (feature == PlanFeatures.Department && subscribed)
            {
                await timers.CancelAsync(MoveRevokedKind, cancellationToken);
            }
            else if (feature == PlanFeatures.Department)
            {
                await timers.ScheduleAsync(MoveRevokedKind, new { workspaceId }, clock.GetUtcNow() + MoveRevokedAfter, MoveRevokedKind, cancellationToken);
            }
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    // LBL-1, QR-2: only the defaults stay usable without the feature.
    private Task<int> RevokeNonDefaultAsync<T>(Guid workspaceId, bool subscribed, CancellationToken cancellationToken)
        where T : QuotaItem =>
        db.Set<T>().Where(i => i.WorkspaceId == workspaceId && !i.IsDefault && i.Revoked == subscribed)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Revoked, !subscribed), cancellationToken);
}
