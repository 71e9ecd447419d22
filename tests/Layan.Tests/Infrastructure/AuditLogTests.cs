using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
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
    public async Task An_entry_whose_change_is_not_saved_is_not_kept()
    {
        var workspace = Guid.NewGuid();
        await using (var scope = fixture.App.Scope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(workspace);
            scope.ServiceProvider.GetRequiredService<AuditLog>().Record("member.role.changed", "member:1", "Agent", "Supervisor");
        }

        await using var db = fixture.App.Database.CreateContext();
        (await db.AuditLog.CountAsync(e => e.WorkspaceId == workspace, Ct)).ShouldBe(0);
    }
}
