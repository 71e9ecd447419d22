using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Onboarding;

/// <summary>ONB-2: the documents an application can ask for.</summary>
internal static class DocumentKinds
{
    public const string GovernmentId = "government_id";
    public const string ProofOfAddress = "proof_of_address";
    public const string BusinessRegistration = "business_registration";

    public static IReadOnlyList<string> All { get; } = [GovernmentId, ProofOfAddress, BusinessRegistration];
}

/// <summary>
/// ACC-10: what a country asks of the people and workspaces in it. The row for <c>*</c> applies
/// to every country without a row of its own. Seeded: IDs and proof of address for everyone, the
/// business registration for businesses, and a verified phone in Indonesia.
/// </summary>
internal sealed class RegionalRule
{
    public const string Default = "*";

    /// <summary>ISO 3166-1 alpha-2, or <see cref="Default"/>.</summary>
    public required string Country { get; init; }

    /// <summary>Opening a workspace needs a verified mobile number (ACC-4 by SMS).</summary>
    public bool PhoneVerificationRequired { get; set; }

    /// <summary>Document kinds, comma-separated, for individual workspaces.</summary>
    public required string IndividualDocuments { get; set; }

    /// <summary>Document kinds, comma-separated, for business workspaces.</summary>
    public required string BusinessDocuments { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> DocumentsFor(string workspaceType) =>
        (workspaceType == Workspaces.WorkspaceTypes.Business ? BusinessDocuments : IndividualDocuments)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal sealed class RegionalRuleConfiguration : IEntityTypeConfiguration<RegionalRule>
{
    public void Configure(EntityTypeBuilder<RegionalRule> builder)
    {
        builder.ToTable("RegionalRules");
        builder.HasKey(r => r.Country);
        builder.Property(r => r.Country).HasMaxLength(2);
        builder.Property(r => r.IndividualDocuments).HasMaxLength(200);
        builder.Property(r => r.BusinessDocuments).HasMaxLength(200);
    }
}

/// <summary>What the rule editor sends for one country.</summary>
internal sealed record RegionalRuleInput(string? Country, bool PhoneVerificationRequired, IReadOnlyList<string>? IndividualDocuments, IReadOnlyList<string>? BusinessDocuments);

/// <summary>Reads and edits the regional rules (ACC-10); every edit is in the audit log.</summary>
internal sealed class RegionalRules(LayanDbContext db, AuditLog audit, TimeProvider clock)
{
    /// <summary>The rule for <paramref name="country"/>, or the default rule.</summary>
    public async Task<RegionalRule> ForAsync(string country, CancellationToken cancellationToken) =>
        await db.Set<RegionalRule>().AsNoTracking().SingleOrDefaultAsync(r => r.Country == country, cancellationToken)
            ?? await db.Set<RegionalRule>().AsNoTracking().SingleAsync(r => r.Country == RegionalRule.Default, cancellationToken);

    public async Task<IReadOnlyList<RegionalRule>> AllAsync(CancellationToken cancellationToken) =>
        await db.Set<RegionalRule>().AsNoTracking().OrderBy(r => r.Country).ToListAsync(cancellationToken);

    /// <summary>Adds or changes the rule of one country (or the default); government ID is always required.</summary>
    public async Task<Result<RegionalRule>> SaveAsync(RegionalRuleInput input, CancellationToken cancellationToken)
    {
        var country = input.Country?.Trim().ToUpperInvariant() ?? "";
        if (country != RegionalRule.Default && !Countries.IsKnown(country))
        {
            return new Failure(OnboardingErrors.CountryInvalid, "country");
        }
        var individual = input.IndividualDocuments ?? [];
        var business = input.BusinessDocuments ?? [];
        if (individual.Concat(business).Any(k => !DocumentKinds.All.Contains(k)) || individual.Contains(DocumentKinds.BusinessRegistration))
        {
            return new Failure(OnboardingErrors.DocumentKindInvalid, "documents");
        }
        var rule = await db.Set<RegionalRule>().SingleOrDefaultAsync(r => r.Country == country, cancellationToken);
        var before = rule is null ? null : Snapshot(rule);
        if (rule is null)
        {
            rule = new RegionalRule { Country = country, IndividualDocuments = "", BusinessDocuments = "" };
            db.Set<RegionalRule>().Add(rule);
        }
        rule.PhoneVerificationRequired = input.PhoneVerificationRequired;
        // ONB-2: an ID for everyone; the business registration for every business.
        rule.IndividualDocuments = string.Join(',', DocumentKinds.All.Where(k => k == DocumentKinds.GovernmentId || individual.Contains(k)));
        rule.BusinessDocuments = string.Join(',', DocumentKinds.All.Where(k => k is DocumentKinds.GovernmentId or DocumentKinds.BusinessRegistration || business.Contains(k)));
        rule.UpdatedAt = clock.GetUtcNow();
        audit.Record("regional_rule.saved", $"regional-rules/{country}", before, Snapshot(rule));
        await db.SaveChangesAsync(cancellationToken);
        return rule;
    }

    private static object Snapshot(RegionalRule rule) =>
        new { rule.Country, rule.PhoneVerificationRequired, rule.IndividualDocuments, rule.BusinessDocuments };
}
