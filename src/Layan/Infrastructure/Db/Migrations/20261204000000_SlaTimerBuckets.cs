using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>
/// A clock keeps the instant its warning falls due (as it keeps its due), so SLA timers can be one
/// per due second of a workspace instead of one per clock: the timer finds its clocks through the
/// clocks' own indexes (issue 8: a recount of a million tickets then rewrites a million clock rows,
/// not a million clock rows and a million timers). Timers armed per clock before this run once
/// more and find their clock as it is.
/// </summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261204000000_SlaTimerBuckets")]
internal sealed class SlaTimerBuckets : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<DateTime>(name: "WarnAt", table: "TicketSlaClocks", nullable: true);
        migrationBuilder.CreateIndex(name: "IX_TicketSlaClocks_WorkspaceId_WarnAt", table: "TicketSlaClocks", columns: ["WorkspaceId", "WarnAt"], filter: "\"WarnAt\" IS NOT NULL");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_TicketSlaClocks_WorkspaceId_WarnAt", table: "TicketSlaClocks");
        migrationBuilder.DropColumn(name: "WarnAt", table: "TicketSlaClocks");
    }
}
