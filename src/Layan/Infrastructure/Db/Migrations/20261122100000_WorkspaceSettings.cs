using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>WS-1's agent visibility and INB-3's chosen routing mode.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122100000_WorkspaceSettings")]
internal sealed class WorkspaceSettings : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "AgentVisibility", table: "Workspaces", maxLength: 20, nullable: false, defaultValue: "all");
        migrationBuilder.AddColumn<string>(name: "RoutingMode", table: "Workspaces", maxLength: 20, nullable: false, defaultValue: "open_assignment");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn(name: "RoutingMode", table: "Workspaces");
        migrationBuilder.DropColumn(name: "AgentVisibility", table: "Workspaces");
    }
}
