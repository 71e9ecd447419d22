using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Layan.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Infrastructure;

// Covers X-6 scaffolding: every IWorkspaceOwned entity is filtered to the current workspace, can
// only be written inside it, and operator pages lift the filter only through an audited bypass.
// A probe entity is added to the real context (a subclass) so the convention is tested as-is.
public sealed class TenancyTests(PostgresServer postgres)
{
    private static readonly Guid WorkspaceA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid WorkspaceB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Reads_see_only_the_current_workspace(Provider provider)
    {
        await using var database = await SeededAsync(provider);

        await using var inA = Context(database, WorkspaceA);
        (await inA.Notes.Select(n => n.Text).ToListAsync(Ct)).ShouldBe(["a's note"]);
        await using var inB = Context(database, WorkspaceB);
        (await inB.Notes.Select(n => n.Text).ToListAsync(Ct)).ShouldBe(["b's note"]);
        (await inB.Notes.AnyAsync(n => n.WorkspaceId == WorkspaceA, Ct)).ShouldBeFalse();
        await using var nowhere = Context(database, workspace: null);
        (await nowhere.Notes.CountAsync(Ct)).ShouldBe(0, "no workspace, no rows");
    }

    [Fact]
    public async Task New_rows_are_stamped_with_the_current_workspace()
    {
        await using var database = await SeededAsync(Provider.Sqlite);
        await using (var inA = Context(database, WorkspaceA))
        {
            inA.Notes.Add(new ProbeNote { Text = "stamped" });
            await inA.SaveChangesAsync(Ct);
        }
        await using var check = Context(database, WorkspaceA);
        (await check.Notes.SingleAsync(n => n.Text == "stamped", Ct)).WorkspaceId.ShouldBe(WorkspaceA);
    }

    [Fact]
    public async Task Writing_a_row_of_another_workspace_is_refused_and_changes_nothing()
    {
        await using var database = await SeededAsync(Provider.Sqlite);
        Guid bNote;
        await using (var inB = Context(database, WorkspaceB))
        {
            bNote = (await inB.Notes.SingleAsync(Ct)).Id;
        }

        await using (var inA = Context(database, WorkspaceA))
        {
            // A forged update of B's row.
            var forged = new ProbeNote { Id = bNote, WorkspaceId = WorkspaceB, Text = "b's note" };
            inA.Attach(forged);
            forged.Text = "overwritten by A";
            await Should.ThrowAsync<CrossTenantWriteException>(() => inA.SaveChangesAsync(Ct));
        }
        await using (var inA = Context(database, WorkspaceA))
        {
            // A forged update that claims to be A's row, with B's key.
            var forged = new ProbeNote { Id = bNote, WorkspaceId = WorkspaceA, Text = "b's note" };
            inA.Attach(forged);
            forged.Text = "overwritten by A";
            await Should.ThrowAsync<DbUpdateConcurrencyException>(() => inA.SaveChangesAsync(Ct));
        }
        await using (var inA = Context(database, WorkspaceA))
        {
            inA.Remove(new ProbeNote { Id = bNote, WorkspaceId = WorkspaceA, Text = "" });
            await Should.ThrowAsync<DbUpdateConcurrencyException>(() => inA.SaveChangesAsync(Ct));
        }
        await using (var inA = Context(database, WorkspaceA))
        {
            inA.Notes.Add(new ProbeNote { WorkspaceId = WorkspaceB, Text = "planted in B" });
            await Should.ThrowAsync<CrossTenantWriteException>(() => inA.SaveChangesAsync(Ct));
        }
        await using (var inA = Context(database, WorkspaceA))
        {
            var own = await inA.Notes.SingleAsync(Ct);
            own.WorkspaceId = WorkspaceB; // moving a row out of the workspace
            await Should.ThrowAsync<CrossTenantWriteException>(() => inA.SaveChangesAsync(Ct));
        }

        await using var check = Context(database, WorkspaceB);
        (await check.Notes.Select(n => n.Text).ToListAsync(Ct)).ShouldBe(["b's note"]);
    }

    [Fact]
    public async Task The_operator_bypass_sees_every_workspace_and_is_audited_even_when_nothing_is_saved()
    {
        await using var database = await SeededAsync(Provider.Sqlite);
        var tenant = new TenantContext();
        await using var db = new ProbeContext(ProbeContext.OptionsFor(database), tenant);
        var audit = new AuditLog(db, tenant, new ManualClock(), new HttpContextAccessor(), new Contexts(database));

        using (await tenant.BypassForOperatorAsync(audit, "operator-7", "Reviewing a workspace's documents", Ct))
        {
            (await db.Notes.CountAsync(Ct)).ShouldBe(2);
        }
        (await db.Notes.CountAsync(Ct)).ShouldBe(0, "the bypass ends with its handle");

        await using var check = database.CreateContext();
        var entry = await check.AuditLog.SingleAsync(Ct);
        entry.Action.ShouldBe("tenancy.bypass");
        entry.ActorId.ShouldBe("operator-7");
        entry.Reason.ShouldBe("Reviewing a workspace's documents");
        entry.WorkspaceId.ShouldBeNull();
    }

    private async Task<TestDatabase> SeededAsync(Provider provider)
    {
        var database = await TestDatabase.CreateAsync(provider, postgres);
        await using (var db = Context(database, WorkspaceA))
        {
            await db.Database.EnsureCreatedAsync(Ct);
            db.Notes.Add(new ProbeNote { Text = "a's note" });
            await db.SaveChangesAsync(Ct);
        }
        await using (var db = Context(database, WorkspaceB))
        {
            db.Notes.Add(new ProbeNote { Text = "b's note" });
            await db.SaveChangesAsync(Ct);
        }
        return database;
    }

    private static ProbeContext Context(TestDatabase database, Guid? workspace)
    {
        var tenant = new TenantContext();
        if (workspace is { } id)
        {
            tenant.Enter(id);
        }
        return new ProbeContext(ProbeContext.OptionsFor(database), tenant);
    }

    private sealed class Contexts(TestDatabase database) : IDbContextFactory<LayanDbContext>
    {
        public LayanDbContext CreateDbContext() => database.CreateContext();
    }

    internal sealed class ProbeNote : IWorkspaceOwned
    {
        public Guid Id { get; init; } = Guid.CreateVersion7();

        public Guid WorkspaceId { get; set; }

        public required string Text { get; set; }
    }

    /// <summary>The real context with one extra workspace-owned entity.</summary>
    internal sealed class ProbeContext(DbContextOptions options, TenantContext tenant) : LayanDbContext(options, tenant)
    {
        public DbSet<ProbeNote> Notes => Set<ProbeNote>();

        public static DbContextOptions OptionsFor(TestDatabase database)
        {
            var options = new DbContextOptionsBuilder<ProbeContext>();
            options.UseLayanDatabase(database.DatabaseProvider, database.ConnectionString);
            return options.Options;
        }

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<ProbeNote>().Property(n => n.Text).HasMaxLength(100);
            base.OnModelCreating(modelBuilder);
        }
    }
}
