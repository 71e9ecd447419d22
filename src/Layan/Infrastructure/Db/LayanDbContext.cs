using System.Linq.Expressions;
using Layan.Features.Accounts;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Tenancy;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Layan.Infrastructure.Db;

/// <summary>
/// The one DbContext (with ASP.NET Core Identity's user tables; workspace roles are Layan's own).
/// Entity configurations live beside their entities and are picked up from the assembly. Every <see cref="IWorkspaceOwned"/> entity is filtered to the current workspace and
/// may only be written inside it.
/// </summary>
internal class LayanDbContext : IdentityUserContext<User, Guid>
{
    private readonly TenantContext _tenant;

    public LayanDbContext(DbContextOptions<LayanDbContext> options, TenantContext tenant)
        : this((DbContextOptions)options, tenant)
    {
    }

    /// <summary>For contexts that extend the model (tests).</summary>
    protected LayanDbContext(DbContextOptions options, TenantContext tenant)
        : base(options) => _tenant = tenant;

    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<DueWork> DueWork => Set<DueWork>();

    // Read by the query filters; EF evaluates them per context instance.
    internal Guid? CurrentWorkspaceId => _tenant.WorkspaceId;

    internal bool TenantBypassed => _tenant.IsBypassed;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Stored as UTC timestamps: `timestamp with time zone` on PostgreSQL, sortable ISO text on
        // SQLite (whose provider cannot compare or order DateTimeOffset).
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder); // Identity's tables first; our configurations refine them
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(LayanDbContext).Assembly);
        foreach (var entityType in modelBuilder.Model.GetEntityTypes())
        {
            if (typeof(IWorkspaceOwned).IsAssignableFrom(entityType.ClrType) && entityType.BaseType is null)
            {
                var entity = modelBuilder.Entity(entityType.ClrType);
                entity.HasQueryFilter(WorkspaceFilter(entityType.ClrType));
                // Every UPDATE and DELETE also matches the workspace: a forged entity that claims
                // the current workspace cannot touch another workspace's row with the same key.
                entity.Property(nameof(IWorkspaceOwned.WorkspaceId)).IsConcurrencyToken();
            }
        }
    }

    /// <summary>Shared timers armed in this unit of work, written with it (<see cref="DueWorkScheduler.ScheduleEarliestAsync"/>).</summary>
    internal SharedTimers SharedTimers { get; } = new();

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        GuardWorkspaceWrites();
        using var own = SharedTimers.Any && Database.CurrentTransaction is null ? Database.BeginTransaction() : null;
        SharedTimers.Write(Database);
        var saved = base.SaveChanges(acceptAllChangesOnSuccess);
        SharedTimers.Clear();
        own?.Commit();
        return saved;
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        GuardWorkspaceWrites();
        // Armed timers commit with the rest: in the caller's transaction, or in one of their own.
        await using var own = SharedTimers.Any && Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        await SharedTimers.WriteAsync(Database, cancellationToken);
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        SharedTimers.Clear();
        if (own is not null)
        {
            await own.CommitAsync(cancellationToken);
        }
        return saved;
    }

    // e => context.TenantBypassed || (Guid?)e.WorkspaceId == context.CurrentWorkspaceId
    private LambdaExpression WorkspaceFilter(Type clrType)
    {
        var entity = Expression.Parameter(clrType, "e");
        var context = Expression.Constant(this);
        var owned = Expression.Convert(
            Expression.Property(entity, nameof(IWorkspaceOwned.WorkspaceId)), typeof(Guid?));
        var current = Expression.Property(context, nameof(CurrentWorkspaceId));
        var bypassed = Expression.Property(context, nameof(TenantBypassed));
        return Expression.Lambda(Expression.OrElse(bypassed, Expression.Equal(owned, current)), entity);
    }

    private void GuardWorkspaceWrites()
    {
        foreach (var entry in ChangeTracker.Entries<IWorkspaceOwned>())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted) || _tenant.IsBypassed)
            {
                continue;
            }
            if (entry.State == EntityState.Added && entry.Entity.WorkspaceId == Guid.Empty && _tenant.WorkspaceId is { } current)
            {
                entry.Entity.WorkspaceId = current;
            }
            var original = entry.State == EntityState.Added
                ? entry.Entity.WorkspaceId
                : entry.Property(e => e.WorkspaceId).OriginalValue;
            if (_tenant.WorkspaceId != original || _tenant.WorkspaceId != entry.Entity.WorkspaceId)
            {
                throw new CrossTenantWriteException(
                    $"A {entry.Metadata.ClrType.Name} of another workspace cannot be written from this one.");
            }
        }
    }

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTime>(
        value => value.UtcDateTime,
        stored => new DateTimeOffset(DateTime.SpecifyKind(stored, DateTimeKind.Utc)));
}
