using Layan.Features.Accounts;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Onboarding;

/// <summary>Section <c>Onboarding</c>.</summary>
internal sealed class OnboardingOptions
{
    public const string Section = "Onboarding";

    /// <summary>ONB-3: how long a reviewer's claim keeps others off an application.</summary>
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>ONB-4: how long the activation link works.</summary>
    public TimeSpan ActivationLinkLifetime { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>The review queue's filters; empty means all.</summary>
internal sealed record QueueFilter(string? Country = null, string? Type = null, string? Status = null, int Page = 1);

internal sealed record QueueItem(
    Guid Id, string Name, string Type, string Country, string Status, DateTimeOffset? SubmittedAt, string? ClaimedBy, DateTimeOffset? ClaimExpiresAt);

internal sealed record QueuePage(IReadOnlyList<QueueItem> Items, int Total, int Page, int PageSize);

/// <summary>One document verdict in a decision.</summary>
internal sealed record DocumentVerdict(Guid DocumentId, string? Verdict, string? Reason);

/// <summary>A reviewer's decision: <c>approve</c>, <c>reject</c> (with a reason) or <c>request_changes</c> (with per-document verdicts).</summary>
internal sealed record Decision(string? Outcome, string? Reason, IReadOnlyList<DocumentVerdict>? Documents);

internal static class DecisionOutcomes
{
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string RequestChanges = "request_changes";
}

/// <summary>An application as a reviewer sees it: the applicant's view, who opened it, and who holds it.</summary>
internal sealed record ReviewView(ApplicationView Application, string ApplicantName, string ApplicantEmail, bool ApplicantPhoneVerified, Guid? ClaimedBy, DateTimeOffset? ClaimExpiresAt, DateTimeOffset? SubmittedAt);

/// <summary>
/// ONB-3, ONB-4 for reviewers: the queue (oldest first), a claim that keeps other reviewers off an
/// application for a while (taken in one conditional UPDATE, so two reviewers cannot both hold
/// it), per-document verdicts and the decision, each in the audit log, each emailed to the
/// applicant. Approval issues the activation link (single use, 7 days).
/// </summary>
internal sealed class Reviews(
    LayanDbContext db,
    TenantContext tenant,
    AuditLog audit,
    Applications applications,
    IOptions<OnboardingOptions> options,
    IOptions<PublicUrlOptions> publicUrl,
    TimeProvider clock)
{
    public const int PageSize = 20;

    private static readonly string[] Waiting = [WorkspaceStatus.Submitted, WorkspaceStatus.InReview];

    public async Task<QueuePage> QueueAsync(QueueFilter filter, CancellationToken cancellationToken)
    {
        var query = db.Set<Workspace>().AsNoTracking();
        query = string.IsNullOrEmpty(filter.Status) ? query.Where(w => Waiting.Contains(w.Status)) : query.Where(w => w.Status == filter.Status);
        if (!string.IsNullOrEmpty(filter.Country))
        {
            var country = filter.Country.ToUpperInvariant();
            query = query.Where(w => w.Country == country);
        }
        if (!string.IsNullOrEmpty(filter.Type))
        {
            query = query.Where(w => w.Type == filter.Type);
        }
        var page = Math.Max(filter.Page, 1);
        var total = await query.CountAsync(cancellationToken);
        var items = await (from w in query
                           join u in db.Set<User>() on w.ClaimedBy equals u.Id into claimers
                           from claimer in claimers.DefaultIfEmpty()
                           orderby w.SubmittedAt ?? w.CreatedAt, w.Id
                           select new QueueItem(w.Id, w.Name, w.Type, w.Country, w.Status, w.SubmittedAt, claimer == null ? null : claimer.FullName, w.ClaimExpiresAt))
            .Skip((page - 1) * PageSize).Take(PageSize)
            .ToListAsync(cancellationToken);
        return new QueuePage(items, total, page, PageSize);
    }

    /// <summary>The application for a reviewer (its documents are read across workspaces, which is audited), or null.</summary>
    public async Task<ReviewView?> ViewAsync(Guid reviewerId, Guid workspaceId, CancellationToken cancellationToken)
    {
        var workspace = await db.Set<Workspace>().AsNoTracking().SingleOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
        if (workspace is null)
        {
            return null;
        }
        var applicant = await db.Set<User>().AsNoTracking().SingleAsync(u => u.Id == workspace.CreatedBy, cancellationToken);
        using (await tenant.BypassForOperatorAsync(audit, reviewerId.ToString(), $"review workspaces/{workspaceId}", cancellationToken))
        {
            var view = await applications.ViewOfAsync(workspace, cancellationToken);
            return new ReviewView(view, applicant.FullName, applicant.Email!, applicant.PhoneNumberConfirmed, workspace.ClaimedBy, workspace.ClaimExpiresAt, workspace.SubmittedAt);
        }
    }

    /// <summary>A document for a reviewer to look at; each look is in the audit log.</summary>
    public async Task<StoredFile?> OpenDocumentAsync(Guid reviewerId, Guid workspaceId, Guid documentId, CancellationToken cancellationToken)
    {
        using (await tenant.BypassForOperatorAsync(audit, reviewerId.ToString(), $"view documents/{documentId} of workspaces/{workspaceId}", cancellationToken))
        {
            return await applications.OpenStoredAsync(workspaceId, documentId, cancellationToken);
        }
    }

    /// <summary>
    /// Takes (or renews) the claim on an application waiting for review; the application is then
    /// "in review". Null when there is no such application.
    /// </summary>
    public async Task<Result<ReviewView>?> ClaimAsync(Guid reviewerId, Guid workspaceId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var until = now + options.Value.ClaimDuration;
        var before = await db.Set<Workspace>().AsNoTracking().SingleOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
        if (before?.CreatedBy == reviewerId)
        {
            return new Failure(OnboardingErrors.OwnApplication); // nobody reviews their own workspace
        }
        var taken = await db.Set<Workspace>()
            .Where(w => w.Id == workspaceId && Waiting.Contains(w.Status) && (w.ClaimedBy == null || w.ClaimedBy == reviewerId || w.ClaimExpiresAt <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(w => w.ClaimedBy, reviewerId)
                .SetProperty(w => w.ClaimExpiresAt, until)
                .SetProperty(w => w.Status, WorkspaceStatus.InReview), cancellationToken);
        if (taken == 0)
        {
            var workspace = await db.Set<Workspace>().AsNoTracking().SingleOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
            if (workspace is null)
            {
                return null;
            }
            return new Failure(Waiting.Contains(workspace.Status) ? OnboardingErrors.ClaimHeld : OnboardingErrors.ApplicationLocked);
        }
        audit.Record("workspace.claimed", $"workspaces/{workspaceId}", null, new { until }, actorId: reviewerId.ToString(), workspaceId: workspaceId);
        if (before?.Status == WorkspaceStatus.Submitted)
        {
            // The applicant hears of each change of status; a renewed claim is not one.
            await applications.NotifyApplicantAsync(before, "ApplicationInReview", new Dictionary<string, string>
            {
                [Mailer.ActionUrl] = publicUrl.Value.Link($"/workspaces/{workspaceId}/application"),
            }, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        return (await ViewAsync(reviewerId, workspaceId, cancellationToken))!;
    }

    /// <summary>Gives a claim back before it expires.</summary>
    public async Task ReleaseAsync(Guid reviewerId, Guid workspaceId, CancellationToken cancellationToken) =>
        await db.Set<Workspace>()
            .Where(w => w.Id == workspaceId && w.ClaimedBy == reviewerId)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.ClaimedBy, (Guid?)null).SetProperty(w => w.ClaimExpiresAt, (DateTimeOffset?)null), cancellationToken);

    /// <summary>ONB-3, ONB-4: decides an application the reviewer holds; the applicant is emailed.</summary>
    public async Task<Result<ReviewView>?> DecideAsync(Guid reviewerId, Guid workspaceId, Decision decision, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // The bypass is audited in a connection of its own at once: before this transaction takes the write lock.
        using var bypass = await tenant.BypassForOperatorAsync(audit, reviewerId.ToString(), $"decide workspaces/{workspaceId}", cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var workspace = await db.Set<Workspace>().SingleOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
        if (workspace is null)
        {
            return null;
        }
        if (workspace.Status != WorkspaceStatus.InReview || workspace.ClaimedBy != reviewerId || workspace.ClaimExpiresAt <= now)
        {
            return new Failure(OnboardingErrors.ClaimRequired);
        }
        var reason = decision.Reason?.Trim();
        var documents = await db.Set<WorkspaceDocument>().Where(d => d.WorkspaceId == workspaceId && d.Current).ToListAsync(cancellationToken);
        var before = new { workspace.Status, Documents = documents.Select(d => new { d.Id, d.Kind, d.Verdict }).ToList() };
        string template;
        var values = new Dictionary<string, string>();
        switch (decision.Outcome)
        {
            case DecisionOutcomes.Approve:
                documents.ForEach(d => (d.Verdict, d.VerdictReason) = (DocumentVerdicts.Accepted, null));
                var token = Secrets.NewToken();
                workspace.Status = WorkspaceStatus.Approved;
                workspace.ActivationTokenHash = Secrets.Hash(token);
                workspace.ActivationExpiresAt = now + options.Value.ActivationLinkLifetime;
                template = "ApplicationApproved";
                values["days"] = ((int)options.Value.ActivationLinkLifetime.TotalDays).ToString(System.Globalization.CultureInfo.InvariantCulture);
                values[Mailer.ActionUrl] = publicUrl.Value.Link($"/workspaces/activate?token={token}");
                break;
            case DecisionOutcomes.Reject:
                if (string.IsNullOrEmpty(reason))
                {
                    return new Failure(OnboardingErrors.ReasonRequired, "reason");
                }
                workspace.Status = WorkspaceStatus.Rejected;
                template = "ApplicationRejected";
                values["reason"] = reason;
                values[Mailer.ActionUrl] = publicUrl.Value.Link($"/workspaces/{workspaceId}/application");
                break;
            case DecisionOutcomes.RequestChanges:
                if (ApplyVerdicts(documents, decision.Documents ?? []) is { } invalid)
                {
                    return invalid;
                }
                workspace.Status = WorkspaceStatus.ChangesRequested;
                template = "ChangesRequested";
                values["reasons"] = string.Join("; ", documents.Where(d => DocumentVerdicts.AsksForUpload(d.Verdict)).Select(d => d.VerdictReason));
                values[Mailer.ActionUrl] = publicUrl.Value.Link($"/workspaces/{workspaceId}/application");
                break;
            default:
                return new Failure(OnboardingErrors.DecisionInvalid, "outcome");
        }
        workspace.DecisionReason = decision.Outcome == DecisionOutcomes.Approve ? null : string.IsNullOrEmpty(reason) ? null : reason[..Math.Min(reason.Length, 2000)];
        workspace.DecidedAt = now;
        workspace.ClaimedBy = null;
        workspace.ClaimExpiresAt = null;
        audit.Record($"workspace.{decision.Outcome}", $"workspaces/{workspaceId}", before,
            new { workspace.Status, Reason = reason, Documents = documents.Select(d => new { d.Id, d.Kind, d.Verdict, d.VerdictReason }).ToList() },
            reason, reviewerId.ToString(), workspaceId);
        await applications.NotifyApplicantAsync(workspace, template, values, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new Failure(OnboardingErrors.ClaimRequired); // decided, or claimed again, at the same instant
        }
        await transaction.CommitAsync(cancellationToken);
        bypass.Dispose();
        return (await ViewAsync(reviewerId, workspaceId, cancellationToken))!;
    }

    /// <summary>
    /// ONB-4: a new activation link for an approved workspace whose link was lost or expired (the
    /// old one dies); asked for by its applicant or by a reviewer. False when it is not approved.
    /// </summary>
    public async Task<bool> ResendActivationAsync(Guid workspaceId, string actorId, CancellationToken cancellationToken)
    {
        var workspace = await db.Set<Workspace>().SingleOrDefaultAsync(w => w.Id == workspaceId && w.Status == WorkspaceStatus.Approved, cancellationToken);
        if (workspace is null)
        {
            return false;
        }
        var token = Secrets.NewToken();
        workspace.ActivationTokenHash = Secrets.Hash(token);
        workspace.ActivationExpiresAt = clock.GetUtcNow() + options.Value.ActivationLinkLifetime;
        audit.Record("workspace.activation_resent", $"workspaces/{workspaceId}", null, new { workspace.ActivationExpiresAt }, actorId: actorId, workspaceId: workspaceId);
        await applications.NotifyApplicantAsync(workspace, "ApplicationApproved", new Dictionary<string, string>
        {
            ["days"] = ((int)options.Value.ActivationLinkLifetime.TotalDays).ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Mailer.ActionUrl] = publicUrl.Value.Link($"/workspaces/activate?token={token}"),
        }, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    // Every verdict names a current document and a known verdict; the ones asking for a new upload
    // carry a reason; at least one asks for something. Nothing changes unless all of that holds.
    private static Failure? ApplyVerdicts(List<WorkspaceDocument> documents, IReadOnlyList<DocumentVerdict> verdicts)
    {
        var decided = new List<(WorkspaceDocument Document, string Verdict, string? Reason)>();
        foreach (var verdict in verdicts)
        {
            var document = documents.SingleOrDefault(d => d.Id == verdict.DocumentId);
            if (document is null || verdict.Verdict is not { } kind || !DocumentVerdicts.Decidable.Contains(kind))
            {
                return new Failure(OnboardingErrors.DecisionInvalid, "documents");
            }
            var reason = verdict.Reason?.Trim();
            if (DocumentVerdicts.AsksForUpload(kind) && string.IsNullOrEmpty(reason))
            {
                return new Failure(OnboardingErrors.ReasonRequired, "documents");
            }
            decided.Add((document, kind, DocumentVerdicts.AsksForUpload(kind) ? reason![..Math.Min(reason!.Length, 1000)] : null));
        }
        if (!decided.Any(d => DocumentVerdicts.AsksForUpload(d.Verdict)))
        {
            return new Failure(OnboardingErrors.DecisionInvalid, "documents");
        }
        decided.ForEach(d => (d.Document.Verdict, d.Document.VerdictReason) = (d.Verdict, d.Reason));
        return null;
    }
}
