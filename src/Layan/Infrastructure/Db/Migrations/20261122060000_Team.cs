using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>WS-1, WS-2, PLAN-1: invitations, departments and their members, feature subscriptions.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122060000_Team")]
internal sealed class Team : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Invitations",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Email = table.Column<string>(maxLength: 256, nullable: false),
                Role = table.Column<string>(maxLength: 20, nullable: false),
                TokenHash = table.Column<string>(maxLength: 64, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                ExpiresAt = table.Column<DateTime>(nullable: false),
                InvitedBy = table.Column<Guid>(nullable: false),
                AcceptedAt = table.Column<DateTime>(nullable: true),
                RevokedAt = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Invitations", x => x.Id);
                table.ForeignKey("FK_Invitations_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Invitations_TokenHash", table: "Invitations", column: "TokenHash", unique: true);
        migrationBuilder.CreateIndex(name: "IX_Invitations_WorkspaceId_Email", table: "Invitations", columns: ["WorkspaceId", "Email"]);

        migrationBuilder.CreateTable(
            name: "Departments",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                IsDefault = table.Column<bool>(nullable: false),
                Revoked = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Departments", x => x.Id);
                table.ForeignKey("FK_Departments_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Departments_WorkspaceId_Name", table: "Departments", columns: ["WorkspaceId", "Name"], unique: true);

        migrationBuilder.CreateTable(
            name: "DepartmentMembers",
            columns: table => new
            {
                DepartmentId = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_DepartmentMembers", x => new { x.DepartmentId, x.UserId });
                table.ForeignKey("FK_DepartmentMembers_Departments_DepartmentId", x => x.DepartmentId, "Departments", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_DepartmentMembers_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_DepartmentMembers_UserId", table: "DepartmentMembers", column: "UserId");
        migrationBuilder.CreateIndex(name: "IX_DepartmentMembers_WorkspaceId", table: "DepartmentMembers", column: "WorkspaceId");

        migrationBuilder.CreateTable(
            name: "Subscriptions",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Feature = table.Column<string>(maxLength: 30, nullable: false),
                StartedAt = table.Column<DateTime>(nullable: false),
                PeriodEnd = table.Column<DateTime>(nullable: false),
                CancelAtPeriodEnd = table.Column<bool>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Subscriptions", x => x.Id);
                table.ForeignKey("FK_Subscriptions_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Subscriptions_WorkspaceId_Feature", table: "Subscriptions", columns: ["WorkspaceId", "Feature"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "Subscriptions");
        migrationBuilder.DropTable(name: "DepartmentMembers");
        migrationBuilder.DropTable(name: "Departments");
        migrationBuilder.DropTable(name: "Invitations");
    }
}
