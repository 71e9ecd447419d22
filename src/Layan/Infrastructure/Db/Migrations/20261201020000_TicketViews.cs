using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>TKT-1: each member's saved ticket views.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261201020000_TicketViews")]
internal sealed class TicketViews : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "TicketViews",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                Status = table.Column<string>(maxLength: 30, nullable: true),
                Priority = table.Column<string>(maxLength: 10, nullable: true),
                Assignee = table.Column<string>(maxLength: 40, nullable: true),
                Breached = table.Column<bool>(nullable: false),
                Search = table.Column<string>(maxLength: 200, nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketViews", x => x.Id);
                table.ForeignKey("FK_TicketViews_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_TicketViews_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TicketViews_WorkspaceId_UserId_Name", table: "TicketViews", columns: ["WorkspaceId", "UserId", "Name"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_TicketViews_UserId", table: "TicketViews", column: "UserId");
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "TicketViews");
}
