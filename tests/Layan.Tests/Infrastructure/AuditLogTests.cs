using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Jobs;
using Layan.Infrastructure.Tenancy;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Infrastructure;

// Covers X-3: an administrative change is recorded with who, what, when, before and after, and
// commits with the change itself (or not at all).
public sealed class AuditLogTests(WebAppFixture fixture) : IClassFixture<WebAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_entry_records_who_what_when_before_and_after_in_the_current_workspace()
    {
        var workspace = Guid.NewGuid();
        await using (var scope = fixture.App.Scope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspace);
            scope.ServiceProvider.GetRequiredService<AuditLog>().Record(
                "settings.ticket-prefix.changed", $"workspace:{workspace}", before: new { prefix = "CS" }, after: new { prefix = "HELP" }, actorId: "user-42");
            await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(Ct);
        }

        await using var db = fixture.App.Database.CreateContext();
        var entry = await db.AuditLog.SingleAsync(e => e.WorkspaceId == workspace, Ct);
        entry.Action.ShouldBe("settings.ticket-prefix.changed");
        entry.ActorId.ShouldBe("user-42");
        entry.Before.ShouldBe("""{"prefix":"CS"}""");
        entry.After.ShouldBe("""{"prefix":"HELP"}""");
        entry.OccurredAt.ShouldBe(fixture.App.Clock.GetUtcNow());
    }

    [Fact]
    public async Task An_entry_and_its_change_roll_back_together()
    {
        var workspace = Guid.NewGuid();
        await using (var scope = fixture.App.Scope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspace);
            var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            var change = await scope.ServiceProvider.GetRequiredService<DueWorkScheduler>()
                .ScheduleAsync("settings.reminder", new { }, fixture.App.Clock.GetUtcNow().AddDays(1), "reminder", Ct);
            scope.ServiceProvider.GetRequiredService<AuditLog>().Record("settings.reminder.set", "reminder", null, new { change.DueAt });
            await db.SaveChangesAsync(Ct);
            await transaction.RollbackAsync(Ct);
        }

        await using var check = fixture.App.Database.CreateContext();
        (await check.AuditLog.CountAsync(e => e.WorkspaceId == workspace, Ct)).ShouldBe(0);
        (await check.DueWork.CountAsync(w => w.WorkspaceId == workspace, Ct)).ShouldBe(0);
    }
}
