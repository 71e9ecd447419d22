using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>TKT-1..6: ticket settings and numbering, tickets with their links, labels and timeline, the blacklist, SLA calendars, policies and clocks.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261201000000_Tickets")]
internal sealed class Tickets : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "TicketSettings",
            columns: table => new
            {
                WorkspaceId = table.Column<Guid>(nullable: false),
                Prefix = table.Column<string>(maxLength: 10, nullable: false),
                LastNumber = table.Column<long>(nullable: false),
                InboundAsTicket = table.Column<bool>(nullable: false),
                AutoCloseBlacklisted = table.Column<bool>(nullable: false),
                EditInProgressRoles = table.Column<string>(maxLength: 100, nullable: false),
                EditResolvedRoles = table.Column<string>(maxLength: 100, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketSettings", x => x.WorkspaceId);
                table.ForeignKey("FK_TicketSettings_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "SlaCalendars",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                Definition = table.Column<string>(maxLength: 20_000, nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SlaCalendars", x => x.Id);
                table.ForeignKey("FK_SlaCalendars_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_SlaCalendars_WorkspaceId_Name", table: "SlaCalendars", columns: ["WorkspaceId", "Name"], unique: true);

        migrationBuilder.CreateTable(
            name: "SlaPolicies",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                CalendarId = table.Column<Guid>(nullable: true),
                Targets = table.Column<string>(maxLength: 20_000, nullable: false),
                WarnMinutes = table.Column<int>(nullable: false),
                PausedWhilePending = table.Column<string>(maxLength: 100, nullable: false),
                IsDefault = table.Column<bool>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SlaPolicies", x => x.Id);
                table.ForeignKey("FK_SlaPolicies_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_SlaPolicies_SlaCalendars_CalendarId", x => x.CalendarId, "SlaCalendars", "Id", onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex(name: "IX_SlaPolicies_WorkspaceId_Name", table: "SlaPolicies", columns: ["WorkspaceId", "Name"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_SlaPolicies_CalendarId", table: "SlaPolicies", column: "CalendarId");

        migrationBuilder.CreateTable(
            name: "Tickets",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Number = table.Column<long>(nullable: false),
                Subject = table.Column<string>(maxLength: 200, nullable: false),
                Description = table.Column<string>(maxLength: 10_000, nullable: true),
                Status = table.Column<string>(maxLength: 30, nullable: false),
                Priority = table.Column<string>(maxLength: 10, nullable: false),
                Severity = table.Column<int>(nullable: false),
                AssigneeId = table.Column<Guid>(nullable: true),
                DepartmentId = table.Column<Guid>(nullable: true),
                ContactId = table.Column<Guid>(nullable: true),
                PolicyId = table.Column<Guid>(nullable: true),
                CreatedBy = table.Column<Guid>(nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                ResolvedAt = table.Column<DateTime>(nullable: true),
                AutoClosedReason = table.Column<string>(maxLength: 30, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Tickets", x => x.Id);
                table.ForeignKey("FK_Tickets_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_Tickets_AspNetUsers_AssigneeId", x => x.AssigneeId, "AspNetUsers", "Id", onDelete: ReferentialAction.SetNull);
                table.ForeignKey("FK_Tickets_Departments_DepartmentId", x => x.DepartmentId, "Departments", "Id", onDelete: ReferentialAction.SetNull);
                table.ForeignKey("FK_Tickets_Contacts_ContactId", x => x.ContactId, "Contacts", "Id", onDelete: ReferentialAction.SetNull);
                table.ForeignKey("FK_Tickets_SlaPolicies_PolicyId", x => x.PolicyId, "SlaPolicies", "Id", onDelete: ReferentialAction.SetNull);
            });
        migrationBuilder.CreateIndex(name: "IX_Tickets_WorkspaceId_Number", table: "Tickets", columns: ["WorkspaceId", "Number"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_Tickets_WorkspaceId_Status_UpdatedAt", table: "Tickets", columns: ["WorkspaceId", "Status", "UpdatedAt"]);
        migrationBuilder.CreateIndex(name: "IX_Tickets_AssigneeId", table: "Tickets", column: "AssigneeId");
        migrationBuilder.CreateIndex(name: "IX_Tickets_DepartmentId", table: "Tickets", column: "DepartmentId");
        migrationBuilder.CreateIndex(name: "IX_Tickets_ContactId", table: "Tickets", column: "ContactId");
        migrationBuilder.CreateIndex(name: "IX_Tickets_PolicyId", table: "Tickets", column: "PolicyId");

        migrationBuilder.CreateTable(
            name: "TicketConversations",
            columns: table => new
            {
                TicketId = table.Column<Guid>(nullable: false),
                ConversationId = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketConversations", x => new { x.TicketId, x.ConversationId });
                table.ForeignKey("FK_TicketConversations_Tickets_TicketId", x => x.TicketId, "Tickets", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_TicketConversations_Conversations_ConversationId", x => x.ConversationId, "Conversations", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TicketConversations_ConversationId", table: "TicketConversations", column: "ConversationId");

        migrationBuilder.CreateTable(
            name: "TicketLabels",
            columns: table => new
            {
                TicketId = table.Column<Guid>(nullable: false),
                LabelId = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketLabels", x => new { x.TicketId, x.LabelId });
                table.ForeignKey("FK_TicketLabels_Tickets_TicketId", x => x.TicketId, "Tickets", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_TicketLabels_Labels_LabelId", x => x.LabelId, "Labels", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TicketLabels_LabelId", table: "TicketLabels", column: "LabelId");

        migrationBuilder.CreateTable(
            name: "TicketEvents",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                TicketId = table.Column<Guid>(nullable: false),
                At = table.Column<DateTime>(nullable: false),
                ActorId = table.Column<Guid>(nullable: true),
                Kind = table.Column<string>(maxLength: 30, nullable: false),
                Data = table.Column<string>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketEvents", x => x.Id);
                table.ForeignKey("FK_TicketEvents_Tickets_TicketId", x => x.TicketId, "Tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TicketEvents_TicketId_At", table: "TicketEvents", columns: ["TicketId", "At"]);

        migrationBuilder.CreateTable(
            name: "TicketBlacklist",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 10, nullable: false),
                Value = table.Column<string>(maxLength: 254, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketBlacklist", x => x.Id);
                table.ForeignKey("FK_TicketBlacklist_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TicketBlacklist_WorkspaceId_Value", table: "TicketBlacklist", columns: ["WorkspaceId", "Value"], unique: true);

        migrationBuilder.CreateTable(
            name: "TicketSlaClocks",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                TicketId = table.Column<Guid>(nullable: false),
                Target = table.Column<string>(maxLength: 20, nullable: false),
                Cycle = table.Column<int>(nullable: false),
                StartedAt = table.Column<DateTime>(nullable: false),
                Pauses = table.Column<string>(maxLength: 20_000, nullable: false),
                PausedSince = table.Column<DateTime>(nullable: true),
                DueAt = table.Column<DateTime>(nullable: true),
                MetAt = table.Column<DateTime>(nullable: true),
                WarnedAt = table.Column<DateTime>(nullable: true),
                BreachedAt = table.Column<DateTime>(nullable: true),
                Stopped = table.Column<bool>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TicketSlaClocks", x => x.Id);
                table.ForeignKey("FK_TicketSlaClocks_Tickets_TicketId", x => x.TicketId, "Tickets", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_TicketSlaClocks_TicketId_Target_Cycle", table: "TicketSlaClocks", columns: ["TicketId", "Target", "Cycle"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_TicketSlaClocks_WorkspaceId_DueAt", table: "TicketSlaClocks", columns: ["WorkspaceId", "DueAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "TicketSlaClocks");
        migrationBuilder.DropTable(name: "TicketBlacklist");
        migrationBuilder.DropTable(name: "TicketEvents");
        migrationBuilder.DropTable(name: "TicketLabels");
        migrationBuilder.DropTable(name: "TicketConversations");
        migrationBuilder.DropTable(name: "Tickets");
        migrationBuilder.DropTable(name: "SlaPolicies");
        migrationBuilder.DropTable(name: "SlaCalendars");
        migrationBuilder.DropTable(name: "TicketSettings");
    }
}
