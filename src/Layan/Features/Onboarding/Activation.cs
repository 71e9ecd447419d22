using Layan.Features.Accounts;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Onboarding;

/// <summary>
/// ONB-4: the activation link of an approved workspace works once, for 7 days, and makes the
/// workspace usable; the setup wizard (ONB-5) starts at its first step.
/// </summary>
internal sealed class Activation(
    LayanDbContext db, AuditLog audit, Infrastructure.Tenancy.TenantContext tenant, Microsoft.Extensions.Localization.IStringLocalizer<OnboardingResource> strings, TimeProvider clock)
{
    public async Task<Result<Workspace>> ActivateAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100)
        {
            return new Failure(OnboardingErrors.ActivationLinkInvalid, "token");
        }
        var now = clock.GetUtcNow();
        var hash = Secrets.Hash(token.Trim());
        var workspace = await db.Set<Workspace>().SingleOrDefaultAsync(
            w => w.ActivationTokenHash == hash && w.Status == WorkspaceStatus.Approved, cancellationToken);
        if (workspace is null || workspace.ActivationExpiresAt <= now)
        {
            return new Failure(OnboardingErrors.ActivationLinkInvalid, "token");
        }
        // One statement decides, so a link opened twice at once activates once.
        var activated = await db.Set<Workspace>()
            .Where(w => w.Id == workspace.Id && w.ActivationTokenHash == hash && w.Status == WorkspaceStatus.Approved)
            .ExecuteUpdateAsync(s => s
                .SetProperty(w => w.Status, WorkspaceStatus.Active)
                .SetProperty(w => w.ActivatedAt, now)
                .SetProperty(w => w.ActivationTokenHash, (string?)null)
                .SetProperty(w => w.ActivationExpiresAt, (DateTimeOffset?)null)
                .SetProperty(w => w.SetupStep, SetupWizard.Steps[0]), cancellationToken);
        if (activated == 0)
        {
            return new Failure(OnboardingErrors.ActivationLinkInvalid, "token");
        }
        audit.Record("workspace.activated", $"workspaces/{workspace.Id}", new { Status = WorkspaceStatus.Approved }, new { Status = WorkspaceStatus.Active }, workspaceId: workspace.Id);
        // WS-2: every workspace starts with its default Main Department, named in its language.
        tenant.Enter(workspace.Id);
        db.Add(Departments.MainDepartment(workspace.Id, Infrastructure.Localization.SupportedLanguages.InLanguage(workspace.DefaultLanguage, () => strings["Departments.Main"].Value), now));
        await db.SaveChangesAsync(cancellationToken);
        await db.Entry(workspace).ReloadAsync(cancellationToken);
        return workspace;
    }
}
