using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>★ Gap-free realtime: each workspace's event counter and its events.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122110000_WorkspaceEvents")]
internal sealed class WorkspaceEvents : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<long>(name: "LastEventSequence", table: "Workspaces", nullable: false, defaultValue: 0L);
        migrationBuilder.CreateTable(
            name: "WorkspaceEvents",
            columns: table => new
            {
                WorkspaceId = table.Column<Guid>(nullable: false),
                Sequence = table.Column<long>(nullable: false),
                Type = table.Column<string>(maxLength: 50, nullable: false),
                Payload = table.Column<string>(nullable: false),
                OccurredAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_WorkspaceEvents", x => new { x.WorkspaceId, x.Sequence });
                table.ForeignKey("FK_WorkspaceEvents_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "WorkspaceEvents");
        migrationBuilder.DropColumn(name: "LastEventSequence", table: "Workspaces");
    }
}
