using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>The inbox's first page at a million conversations: indexes that end in the sort order of the views.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122130000_InboxIndexes")]
internal sealed class InboxIndexes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Conversations_WorkspaceId_LastActivityAt", table: "Conversations");
        migrationBuilder.DropIndex(name: "IX_Conversations_WorkspaceId_AssigneeId_Status", table: "Conversations");
        migrationBuilder.CreateIndex(name: "IX_Conversations_WorkspaceId_Status_LastActivityAt", table: "Conversations", columns: ["WorkspaceId", "Status", "LastActivityAt"]);
        migrationBuilder.CreateIndex(name: "IX_Conversations_WorkspaceId_AssigneeId_Status_LastActivityAt", table: "Conversations", columns: ["WorkspaceId", "AssigneeId", "Status", "LastActivityAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Conversations_WorkspaceId_AssigneeId_Status_LastActivityAt", table: "Conversations");
        migrationBuilder.DropIndex(name: "IX_Conversations_WorkspaceId_Status_LastActivityAt", table: "Conversations");
        migrationBuilder.CreateIndex(name: "IX_Conversations_WorkspaceId_AssigneeId_Status", table: "Conversations", columns: ["WorkspaceId", "AssigneeId", "Status"]);
        migrationBuilder.CreateIndex(name: "IX_Conversations_WorkspaceId_LastActivityAt", table: "Conversations", columns: ["WorkspaceId", "LastActivityAt"]);
    }
}
