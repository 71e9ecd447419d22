using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>INB-1..6: contacts, conversations, messages, labels on them, agents' presence and load, routing decisions; inbox and widget settings.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122120000_Inbox")]
internal sealed class Inbox : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<int>(name: "DefaultCapacity", table: "Workspaces", nullable: false, defaultValue: 5);
        migrationBuilder.AddColumn<int>(name: "ReassignAfterMinutes", table: "Workspaces", nullable: true);
        migrationBuilder.AddColumn<int>(name: "AwayAfterMinutes", table: "Workspaces", nullable: false, defaultValue: 15);
        migrationBuilder.AddColumn<bool>(name: "WidgetAskName", table: "Workspaces", nullable: false, defaultValue: true);
        migrationBuilder.AddColumn<bool>(name: "WidgetAskEmail", table: "Workspaces", nullable: false, defaultValue: true);
        migrationBuilder.AddColumn<bool>(name: "WidgetAskDepartment", table: "Workspaces", nullable: false, defaultValue: false);
        migrationBuilder.AddColumn<string>(name: "WidgetSecret", table: "Workspaces", maxLength: 64, nullable: true);

        migrationBuilder.CreateTable(
            name: "Contacts",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: true),
                Email = table.Column<string>(maxLength: 254, nullable: true),
                EmailVerified = table.Column<bool>(nullable: false),
                Phone = table.Column<string>(maxLength: 20, nullable: true),
                PhoneVerified = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Contacts", x => x.Id);
                table.ForeignKey("FK_Contacts_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Contacts_WorkspaceId_Email", table: "Contacts", columns: ["WorkspaceId", "Email"]);
        migrationBuilder.CreateIndex(name: "IX_Contacts_WorkspaceId_Phone", table: "Contacts", columns: ["WorkspaceId", "Phone"]);

        migrationBuilder.CreateTable(
            name: "Conversations",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
                Channel = table.Column<string>(maxLength: 20, nullable: false),
                DepartmentId = table.Column<Guid>(nullable: false),
                AssigneeId = table.Column<Guid>(nullable: true),
                Status = table.Column<string>(maxLength: 20, nullable: false),
                SnoozedUntil = table.Column<DateTime>(nullable: true),
                Priority = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                LastActivityAt = table.Column<DateTime>(nullable: false),
                LastMessagePreview = table.Column<string>(maxLength: 200, nullable: true),
                QueuedAt = table.Column<DateTime>(nullable: true),
                AssignedAt = table.Column<DateTime>(nullable: true),
                ReassignedFrom = table.Column<Guid>(nullable: true),
                AwaitingReplySince = table.Column<DateTime>(nullable: true),
                VisitorTokenHash = table.Column<string>(maxLength: 64, nullable: true),
                StartSequence = table.Column<long>(nullable: false),
                OfflineForm = table.Column<bool>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Conversations", x => x.Id);
                table.ForeignKey("FK_Conversations_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_Conversations_Contacts_ContactId", x => x.ContactId, "Contacts", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_Conversations_Departments_DepartmentId", x => x.DepartmentId, "Departments", "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("FK_Conversations_AspNetUsers_AssigneeId", x => x.AssigneeId, "AspNetUsers", "Id", onDelete: ReferentialAction.SetNull);
            });
        migrationBuilder.CreateIndex(name: "IX_Conversations_WorkspaceId_LastActivityAt", table: "Conversations", columns: ["WorkspaceId", "LastActivityAt"]);
        migrationBuilder.CreateIndex(name: "IX_Conversations_WorkspaceId_AssigneeId_Status", table: "Conversations", columns: ["WorkspaceId", "AssigneeId", "Status"]);
        migrationBuilder.CreateIndex(name: "IX_Conversations_WorkspaceId_DepartmentId_QueuedAt", table: "Conversations", columns: ["WorkspaceId", "DepartmentId", "QueuedAt"]);
        migrationBuilder.CreateIndex(name: "IX_Conversations_ContactId", table: "Conversations", column: "ContactId");
        migrationBuilder.CreateIndex(name: "IX_Conversations_VisitorTokenHash", table: "Conversations", column: "VisitorTokenHash", unique: true);
        migrationBuilder.CreateIndex(name: "IX_Conversations_AssigneeId", table: "Conversations", column: "AssigneeId");
        migrationBuilder.CreateIndex(name: "IX_Conversations_DepartmentId", table: "Conversations", column: "DepartmentId");

        migrationBuilder.CreateTable(
            name: "Messages",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 20, nullable: false),
                AuthorId = table.Column<Guid>(nullable: true),
                Body = table.Column<string>(maxLength: 10000, nullable: false),
                AttachmentKey = table.Column<string>(maxLength: 200, nullable: true),
                AttachmentName = table.Column<string>(maxLength: 200, nullable: true),
                AttachmentType = table.Column<string>(maxLength: 40, nullable: true),
                AttachmentSize = table.Column<long>(nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                ReadAt = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Messages", x => x.Id);
                table.ForeignKey("FK_Messages_Conversations_ConversationId", x => x.ConversationId, "Conversations", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_Messages_ConversationId_CreatedAt", table: "Messages", columns: ["ConversationId", "CreatedAt"]);

        migrationBuilder.CreateTable(
            name: "ConversationLabels",
            columns: table => new
            {
                ConversationId = table.Column<Guid>(nullable: false),
                LabelId = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ConversationLabels", x => new { x.ConversationId, x.LabelId });
                table.ForeignKey("FK_ConversationLabels_Conversations_ConversationId", x => x.ConversationId, "Conversations", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_ConversationLabels_Labels_LabelId", x => x.LabelId, "Labels", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_ConversationLabels_WorkspaceId_LabelId", table: "ConversationLabels", columns: ["WorkspaceId", "LabelId"]);
        migrationBuilder.CreateIndex(name: "IX_ConversationLabels_LabelId", table: "ConversationLabels", column: "LabelId");

        migrationBuilder.CreateTable(
            name: "AgentStates",
            columns: table => new
            {
                WorkspaceId = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Presence = table.Column<string>(maxLength: 10, nullable: false),
                LastSeenAt = table.Column<DateTime>(nullable: true),
                Capacity = table.Column<int>(nullable: true),
                OpenCount = table.Column<int>(nullable: false),
                LastAssignedSeq = table.Column<long>(nullable: false),
                SoundOnMessage = table.Column<string>(maxLength: 10, nullable: false),
                SoundOnAssignment = table.Column<string>(maxLength: 10, nullable: false),
                BrowserNotifications = table.Column<bool>(nullable: false),
                EmailOnAssignment = table.Column<bool>(nullable: false),
                EmailOnMention = table.Column<bool>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AgentStates", x => new { x.WorkspaceId, x.UserId });
                table.ForeignKey("FK_AgentStates_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_AgentStates_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_AgentStates_UserId", table: "AgentStates", column: "UserId");

        migrationBuilder.CreateTable(
            name: "RoutingDecisions",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                DecidedAt = table.Column<DateTime>(nullable: false),
                Trigger = table.Column<string>(maxLength: 30, nullable: false),
                Mode = table.Column<string>(maxLength: 20, nullable: false),
                WinnerId = table.Column<Guid>(nullable: true),
                Explanation = table.Column<string>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_RoutingDecisions", x => x.Id);
                table.ForeignKey("FK_RoutingDecisions_Conversations_ConversationId", x => x.ConversationId, "Conversations", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_RoutingDecisions_ConversationId_DecidedAt", table: "RoutingDecisions", columns: ["ConversationId", "DecidedAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "RoutingDecisions");
        migrationBuilder.DropTable(name: "AgentStates");
        migrationBuilder.DropTable(name: "ConversationLabels");
        migrationBuilder.DropTable(name: "Messages");
        migrationBuilder.DropTable(name: "Conversations");
        migrationBuilder.DropTable(name: "Contacts");
        foreach (var column in new[] { "DefaultCapacity", "ReassignAfterMinutes", "AwayAfterMinutes", "WidgetAskName", "WidgetAskEmail", "WidgetAskDepartment", "WidgetSecret" })
        {
            migrationBuilder.DropColumn(name: column, table: "Workspaces");
        }
    }
}
