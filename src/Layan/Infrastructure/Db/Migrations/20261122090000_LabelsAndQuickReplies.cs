using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>LBL-1, QR-1: labels and quick replies, with their default and revoked flags.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122090000_LabelsAndQuickReplies")]
internal sealed class LabelsAndQuickReplies : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Labels",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 50, nullable: false),
                Colour = table.Column<string>(maxLength: 7, nullable: false),
                IsDefault = table.Column<bool>(nullable: false),
                Revoked = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Labels", x => x.Id);
                table.ForeignKey("FK_Labels_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Labels_WorkspaceId_Name", table: "Labels", columns: ["WorkspaceId", "Name"], unique: true);

        migrationBuilder.CreateTable(
            name: "QuickReplies",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Keyword = table.Column<string>(maxLength: 30, nullable: false),
                Text = table.Column<string>(maxLength: 2000, nullable: false),
                IsDefault = table.Column<bool>(nullable: false),
                Revoked = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_QuickReplies", x => x.Id);
                table.ForeignKey("FK_QuickReplies_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_QuickReplies_WorkspaceId_Keyword", table: "QuickReplies", columns: ["WorkspaceId", "Keyword"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "QuickReplies");
        migrationBuilder.DropTable(name: "Labels");
    }
}
