using Layan.Features.Accounts;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Workspaces;

/// <summary>WS-2: a group of members; the first is the default Main Department.</summary>
internal sealed class Department : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public required string Name { get; set; }

    public bool IsDefault { get; init; }

    /// <summary>WS-3: set while the Department feature has lapsed; never deleted for it.</summary>
    public bool Revoked { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class DepartmentMember : IWorkspaceOwned
{
    public Guid DepartmentId { get; init; }

    public Guid UserId { get; init; }

    public Guid WorkspaceId { get; set; }
}

internal sealed class DepartmentConfiguration : IEntityTypeConfiguration<Department>
{
    public void Configure(EntityTypeBuilder<Department> builder)
    {
        builder.ToTable("Departments");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Name).HasMaxLength(100);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(d => d.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.WorkspaceId, d.Name }).IsUnique();
    }
}

internal sealed class DepartmentMemberConfiguration : IEntityTypeConfiguration<DepartmentMember>
{
    public void Configure(EntityTypeBuilder<DepartmentMember> builder)
    {
        builder.ToTable("DepartmentMembers");
        builder.HasKey(m => new { m.DepartmentId, m.UserId });
        builder.HasOne<Department>().WithMany().HasForeignKey(m => m.DepartmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => m.WorkspaceId);
    }
}

internal sealed record DepartmentItem(Guid Id, string Name, bool IsDefault, bool Revoked, IReadOnlyList<Guid> MemberIds);

internal static class DepartmentErrors
{
    public const string NameRequired = "department_name_required";
    public const string NameTaken = "department_name_taken";
    public const string QuotaExceeded = "quota_exceeded";
    public const string MemberUnknown = "member_unknown";
    public const string DefaultKept = "department_default";
}

/// <summary>
/// WS-2: departments and their members. Without the Department feature a workspace has one (its
/// Main Department); the quota is checked inside the transaction that creates a department, with
/// the workspace's row held, so two creations at once cannot both pass it.
/// </summary>
internal sealed class Departments(LayanDbContext db, Entitlements entitlements, AuditLog audit, Realtime.EventLog events, TimeProvider clock)
{
    /// <summary>The Main Department of a new workspace (caller saves).</summary>
    public static Department MainDepartment(Guid workspaceId, string name, DateTimeOffset now) =>
        new() { WorkspaceId = workspaceId, Name = name, IsDefault = true, CreatedAt = now };

    public async Task<IReadOnlyList<DepartmentItem>> ListAsync(WorkspaceMembership access, CancellationToken cancellationToken)
    {
        var departments = await db.Set<Department>().Where(d => d.WorkspaceId == access.WorkspaceId)
            .OrderByDescending(d => d.IsDefault).ThenBy(d => d.Name).ToListAsync(cancellationToken);
        var members = await db.Set<DepartmentMember>().Where(m => m.WorkspaceId == access.WorkspaceId).ToListAsync(cancellationToken);
        return [.. departments.Select(d => new DepartmentItem(d.Id, d.Name, d.IsDefault, d.Revoked, [.. members.Where(m => m.DepartmentId == d.Id).Select(m => m.UserId)]))];
    }

    public async Task<Result<DepartmentItem>> CreateAsync(WorkspaceMembership access, string? name, CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > 100 || trimmed.Any(char.IsControl))
        {
            return new Failure(DepartmentErrors.NameRequired, "name");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockWorkspaceAsync(access.WorkspaceId, cancellationToken);
        var count = await db.Set<Department>().CountAsync(d => d.WorkspaceId == access.WorkspaceId && !d.Revoked, cancellationToken);
        if (count >= await entitlements.QuotaAsync(access.WorkspaceId, PlanFeatures.Department, cancellationToken))
        {
            return new Failure(DepartmentErrors.QuotaExceeded, "name");
        }
        if (await db.Set<Department>().AnyAsync(d => d.WorkspaceId == access.WorkspaceId && d.Name == trimmed, cancellationToken))
        {
            return new Failure(DepartmentErrors.NameTaken, "name");
        }
        var department = new Department { WorkspaceId = access.WorkspaceId, Name = trimmed, CreatedAt = clock.GetUtcNow() };
        db.Add(department);
        audit.Record("department.created", $"departments/{department.Id}", null, new { department.Name }, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        await events.AppendAsync("department.created", new { departmentId = department.Id, department.Name }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new DepartmentItem(department.Id, department.Name, false, false, []);
    }

    /// <summary>Renames a department (the Main Department too; Revoked ones keep their state). Null when there is none.</summary>
    public async Task<Result<DepartmentItem>?> RenameAsync(WorkspaceMembership access, Guid departmentId, string? name, CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim() ?? "";
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockWorkspaceAsync(access.WorkspaceId, cancellationToken);
        var department = await db.Set<Department>().SingleOrDefaultAsync(d => d.Id == departmentId && d.WorkspaceId == access.WorkspaceId, cancellationToken);
        if (department is null)
        {
            return null;
        }
        if (trimmed.Length is 0 or > 100 || trimmed.Any(char.IsControl))
        {
            return new Failure(DepartmentErrors.NameRequired, "name");
        }
        if (await db.Set<Department>().AnyAsync(d => d.WorkspaceId == access.WorkspaceId && d.Id != departmentId && d.Name == trimmed, cancellationToken))
        {
            return new Failure(DepartmentErrors.NameTaken, "name");
        }
        audit.Record("department.renamed", $"departments/{department.Id}", new { department.Name }, new { Name = trimmed }, actorId: access.Member.UserId.ToString());
        department.Name = trimmed;
        await db.SaveChangesAsync(cancellationToken);
        await events.AppendAsync("department.renamed", new { departmentId = department.Id, department.Name }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var members = await db.Set<DepartmentMember>().Where(m => m.DepartmentId == departmentId).Select(m => m.UserId).ToListAsync(cancellationToken);
        return new DepartmentItem(department.Id, department.Name, department.IsDefault, department.Revoked, members);
    }

    /// <summary>Deletes a department (its memberships go with it); the Main Department stays. Null when there is none.</summary>
    public async Task<Result<bool>?> DeleteAsync(WorkspaceMembership access, Guid departmentId, CancellationToken cancellationToken)
    {
        var department = await db.Set<Department>().SingleOrDefaultAsync(d => d.Id == departmentId && d.WorkspaceId == access.WorkspaceId, cancellationToken);
        if (department is null)
        {
            return null;
        }
        if (department.IsDefault)
        {
            return new Failure(DepartmentErrors.DefaultKept, "department");
        }
        db.Remove(department);
        audit.Record("department.deleted", $"departments/{department.Id}", new { department.Name }, null, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Sets who belongs to a department (members of this workspace only). Revoked departments may only lose members.</summary>
    public async Task<Result<DepartmentItem>?> SetMembersAsync(WorkspaceMembership access, Guid departmentId, IReadOnlyList<Guid>? userIds, CancellationToken cancellationToken)
    {
        var department = await db.Set<Department>().SingleOrDefaultAsync(d => d.Id == departmentId && d.WorkspaceId == access.WorkspaceId, cancellationToken);
        if (department is null)
        {
            return null;
        }
        var wanted = (userIds ?? []).Distinct().ToList();
        var current = await db.Set<DepartmentMember>().Where(m => m.DepartmentId == departmentId).ToListAsync(cancellationToken);
        // Only those being added must be active members; anyone may always be taken off.
        var added = wanted.Except(current.Select(m => m.UserId)).ToList();
        var known = await db.Set<WorkspaceMember>().Where(m => m.WorkspaceId == access.WorkspaceId && m.Active && added.Contains(m.UserId)).Select(m => m.UserId).ToListAsync(cancellationToken);
        if (known.Count != added.Count)
        {
            return new Failure(DepartmentErrors.MemberUnknown, "members");
        }
        if (department.Revoked && wanted.Except(current.Select(m => m.UserId)).Any())
        {
            return new Failure(DepartmentErrors.QuotaExceeded, "members");
        }
        db.RemoveRange(current.Where(m => !wanted.Contains(m.UserId)));
        db.AddRange(wanted.Except(current.Select(m => m.UserId)).Select(u => new DepartmentMember { DepartmentId = departmentId, UserId = u, WorkspaceId = access.WorkspaceId }));
        audit.Record("department.members_set", $"departments/{department.Id}", current.Select(m => m.UserId).ToList(), wanted, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return new DepartmentItem(department.Id, department.Name, department.IsDefault, department.Revoked, wanted);
    }
}
