using Layan.Features.Accounts;
using Layan.Features.Onboarding;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Operator;

/// <summary>The roles of the people who run a Layan installation (not workspace roles).</summary>
internal static class OperatorRoles
{
    public const string Admin = "operator-admin";
    public const string Reviewer = "reviewer";
    public const string SupportEngineer = "support-engineer";

    public static IReadOnlyList<string> All { get; } = [Admin, Reviewer, SupportEngineer];
}

/// <summary>One operator role held by one user.</summary>
internal sealed class OperatorStaffMember
{
    public Guid UserId { get; init; }

    public required string Role { get; init; }

    public DateTimeOffset GrantedAt { get; init; }

    /// <summary>The user id of whoever granted it, or <c>system</c> (command line, configuration).</summary>
    public required string GrantedBy { get; init; }
}

internal sealed class OperatorStaffMemberConfiguration : IEntityTypeConfiguration<OperatorStaffMember>
{
    public void Configure(EntityTypeBuilder<OperatorStaffMember> builder)
    {
        builder.ToTable("OperatorStaff");
        builder.HasKey(s => new { s.UserId, s.Role });
        builder.Property(s => s.Role).HasMaxLength(20);
        builder.Property(s => s.GrantedBy).HasMaxLength(64);
        builder.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Authorization policies for <c>/operator</c> pages and <c>/api/v1/operator</c>.</summary>
internal static class OperatorPolicies
{
    /// <summary>Reviewers and operator admins (the review queue, ONB-3).</summary>
    public const string Reviewers = "operator.reviewers";

    /// <summary>Operator admins only (staff, regional rules).</summary>
    public const string Admins = "operator.admins";

    /// <summary>Anyone with an operator role.</summary>
    public const string Staff = "operator.staff";
}

/// <summary>Holds one of <see cref="Roles"/>; checked against the database on each request, so a role taken away stops working at once.</summary>
internal sealed class OperatorRoleRequirement(params string[] roles) : IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;
}

internal sealed class OperatorRoleHandler(LayanDbContext db, UserManager<User> users) : AuthorizationHandler<OperatorRoleRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, OperatorRoleRequirement requirement)
    {
        if (MySecurity.UserId(context.User, users) is { } userId &&
            await db.Set<OperatorStaffMember>().AnyAsync(s => s.UserId == userId && requirement.Roles.Contains(s.Role)))
        {
            context.Succeed(requirement);
        }
    }
}

/// <summary>A person with operator roles, as the staff page lists them.</summary>
internal sealed record StaffMember(Guid UserId, string FullName, string Email, IReadOnlyList<string> Roles);

/// <summary>Granting, listing and revoking operator roles; every change is in the audit log.</summary>
internal sealed class OperatorStaff(LayanDbContext db, AuditLog audit, TimeProvider clock)
{
    public Task<bool> AnyAdminAsync(CancellationToken cancellationToken) =>
        db.Set<OperatorStaffMember>().AnyAsync(s => s.Role == OperatorRoles.Admin, cancellationToken);

    /// <summary>Grants <paramref name="role"/> (no change when held already; caller saves).</summary>
    public async Task GrantAsync(Guid userId, string role, string grantedBy, CancellationToken cancellationToken)
    {
        if (!OperatorRoles.All.Contains(role))
        {
            throw new ArgumentException($"'{role}' is not an operator role.", nameof(role));
        }
        if (await db.Set<OperatorStaffMember>().AnyAsync(s => s.UserId == userId && s.Role == role, cancellationToken))
        {
            return;
        }
        db.Set<OperatorStaffMember>().Add(new OperatorStaffMember { UserId = userId, Role = role, GrantedAt = clock.GetUtcNow(), GrantedBy = grantedBy });
        audit.Record("operator.role_granted", $"users/{userId}", before: null, after: new { role }, actorId: grantedBy);
    }

    /// <summary>Everyone holding an operator role, with their roles, by name.</summary>
    public async Task<IReadOnlyList<StaffMember>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await (from s in db.Set<OperatorStaffMember>()
                          join u in db.Set<User>() on s.UserId equals u.Id
                          select new { u.Id, u.FullName, u.Email, s.Role }).ToListAsync(cancellationToken);
        return [.. rows.GroupBy(r => (r.Id, r.FullName, r.Email))
            .Select(g => new StaffMember(g.Key.Id, g.Key.FullName, g.Key.Email!, [.. g.Select(r => r.Role).Order(StringComparer.Ordinal)]))
            .OrderBy(m => m.FullName, StringComparer.CurrentCulture)];
    }

    /// <summary>An operator admin grants a role to a verified account, named by its address.</summary>
    public async Task<Result<StaffMember>> GrantByEmailAsync(string? email, string? role, string grantedBy, CancellationToken cancellationToken)
    {
        if (!OperatorRoles.All.Contains(role))
        {
            return new Failure(OnboardingErrors.StaffRoleInvalid, "role");
        }
        var address = email?.Trim().ToUpperInvariant();
        var user = address is null ? null : await db.Set<User>().SingleOrDefaultAsync(u => u.NormalizedEmail == address && u.EmailConfirmed, cancellationToken);
        if (user is null)
        {
            return new Failure(OnboardingErrors.StaffUserNotFound, "email");
        }
        await GrantAsync(user.Id, role!, grantedBy, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return (await ListAsync(cancellationToken)).Single(m => m.UserId == user.Id);
    }

    /// <summary>Takes a role away; the last operator admin keeps theirs. False when it was not held.</summary>
    public async Task<Result<bool>> RevokeAsync(Guid userId, string? role, string revokedBy, CancellationToken cancellationToken)
    {
        // Two admins revoking each other at once must not leave none: the admins' rows are held
        // (PostgreSQL) or the database is (SQLite) while counting and deleting.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM \"OperatorStaff\" WHERE \"Role\" = {OperatorRoles.Admin} FOR UPDATE", cancellationToken);
        }
        var held = await db.Set<OperatorStaffMember>().SingleOrDefaultAsync(s => s.UserId == userId && s.Role == role, cancellationToken);
        if (held is null)
        {
            return false;
        }
        if (role == OperatorRoles.Admin && await db.Set<OperatorStaffMember>().CountAsync(s => s.Role == OperatorRoles.Admin, cancellationToken) == 1)
        {
            return new Failure(OnboardingErrors.LastOperatorAdmin, "role");
        }
        db.Set<OperatorStaffMember>().Remove(held);
        audit.Record("operator.role_revoked", $"users/{userId}", before: new { role }, after: null, actorId: revokedBy);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
