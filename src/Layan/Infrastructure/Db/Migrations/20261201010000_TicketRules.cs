using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>TKT-3: ordered rules for inbound messages, and whether the first or every matching rule fires.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261201010000_TicketRules")]
internal sealed class TicketRules : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "RulesMatch", table: "TicketSettings", maxLength: 5, nullable: false, defaultValue: "first");

        migrationBuilder.CreateTable(
            name: "TicketRules",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                Position = table.Column<int>(nullable: false),
                Enabled = table.Column<bool>(nullable: false),
                Conditions = table.Column<string>(maxLength: 4000, nullable: false),
                Actions = table.Column<string>(maxLength: 2000, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketRules", x => x.Id);
                table.ForeignKey("FK_TicketRules_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TicketRules_WorkspaceId_Position", table: "TicketRules", columns: ["WorkspaceId", "Position"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "TicketRules");
        migrationBuilder.DropColumn(name: "RulesMatch", table: "TicketSettings");
    }
}
