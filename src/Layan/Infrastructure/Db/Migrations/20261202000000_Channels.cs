using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>CH-1..4: channels, their contacts' provider ids, stored webhooks, and the provider side of conversations and messages.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261202000000_Channels")]
internal sealed class Channels : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Channels",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 30, nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                ExternalId = table.Column<string>(maxLength: 254, nullable: false),
                Credentials = table.Column<string>(maxLength: 8000, nullable: false),
                DepartmentId = table.Column<Guid>(nullable: true),
                IsDefault = table.Column<bool>(nullable: false),
                Revoked = table.Column<bool>(nullable: false),
                Enabled = table.Column<bool>(nullable: false),
                Messages = table.Column<bool>(nullable: false),
                Comments = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Channels", x => x.Id);
                table.ForeignKey("FK_Channels_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_Channels_Departments_DepartmentId", x => x.DepartmentId, "Departments", "Id", onDelete: ReferentialAction.SetNull);
            });
        migrationBuilder.CreateIndex(name: "IX_Channels_Kind_ExternalId", table: "Channels", columns: ["Kind", "ExternalId"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_Channels_WorkspaceId", table: "Channels", column: "WorkspaceId");
        migrationBuilder.CreateIndex(name: "IX_Channels_DepartmentId", table: "Channels", column: "DepartmentId");

        migrationBuilder.CreateTable(
            name: "ChannelContacts",
            columns: table => new
            {
                ChannelId = table.Column<Guid>(nullable: false),
                ExternalId = table.Column<string>(maxLength: 254, nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                ContactId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ChannelContacts", x => new { x.ChannelId, x.ExternalId });
                table.ForeignKey("FK_ChannelContacts_Channels_ChannelId", x => x.ChannelId, "Channels", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_ChannelContacts_Contacts_ContactId", x => x.ContactId, "Contacts", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_ChannelContacts_ContactId", table: "ChannelContacts", column: "ContactId");

        migrationBuilder.CreateTable(
            name: "ChannelInbound",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 100, nullable: false),
                Payload = table.Column<string>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: true),
                State = table.Column<string>(maxLength: 20, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                DueAt = table.Column<DateTime>(nullable: false),
                Attempts = table.Column<int>(nullable: false),
                LeaseToken = table.Column<Guid>(nullable: true),
                LeaseUntil = table.Column<DateTime>(nullable: true),
                CompletedAt = table.Column<DateTime>(nullable: true),
                LastError = table.Column<string>(maxLength: 2000, nullable: true),
                ChannelId = table.Column<Guid>(nullable: false),
                DedupKey = table.Column<string>(maxLength: 100, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_ChannelInbound", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_ChannelInbound_LeaseToken", table: "ChannelInbound", column: "LeaseToken");
        migrationBuilder.CreateIndex(name: "IX_ChannelInbound_State_DueAt", table: "ChannelInbound", columns: ["State", "DueAt"]);
        migrationBuilder.CreateIndex(name: "IX_ChannelInbound_ChannelId_DedupKey", table: "ChannelInbound", columns: ["ChannelId", "DedupKey"], unique: true);

        migrationBuilder.AddColumn<Guid>(name: "ChannelId", table: "Conversations", nullable: true);
        migrationBuilder.AddColumn<string>(name: "Thread", table: "Conversations", maxLength: 254, nullable: true);
        migrationBuilder.AddColumn<string>(name: "Subject", table: "Conversations", maxLength: 200, nullable: true);
        migrationBuilder.AddColumn<DateTime>(name: "LastCustomerAt", table: "Conversations", nullable: true);
        migrationBuilder.CreateIndex(name: "IX_Conversations_ChannelId_Thread_CreatedAt", table: "Conversations", columns: ["ChannelId", "Thread", "CreatedAt"]);

        migrationBuilder.AddColumn<string>(name: "ExternalId", table: "Messages", maxLength: 300, nullable: true);
        migrationBuilder.AddColumn<string>(name: "ContentKind", table: "Messages", maxLength: 20, nullable: true);
        migrationBuilder.AddColumn<string>(name: "MediaReference", table: "Messages", maxLength: 1000, nullable: true);
        migrationBuilder.AddColumn<string>(name: "ReplyToExternalId", table: "Messages", maxLength: 300, nullable: true);
        migrationBuilder.AddColumn<string>(name: "Delivery", table: "Messages", maxLength: 20, nullable: true);
        migrationBuilder.AddColumn<string>(name: "DeliveryError", table: "Messages", maxLength: 500, nullable: true);
        migrationBuilder.CreateIndex(name: "IX_Messages_WorkspaceId_ExternalId", table: "Messages", columns: ["WorkspaceId", "ExternalId"], unique: true, filter: "\"ExternalId\" IS NOT NULL");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex(name: "IX_Messages_WorkspaceId_ExternalId", table: "Messages");
        foreach (var column in new[] { "ExternalId", "ContentKind", "MediaReference", "ReplyToExternalId", "Delivery", "DeliveryError" })
        {
            migrationBuilder.DropColumn(name: column, table: "Messages");
        }
        migrationBuilder.DropIndex(name: "IX_Conversations_ChannelId_Thread_CreatedAt", table: "Conversations");
        foreach (var column in new[] { "ChannelId", "Thread", "Subject", "LastCustomerAt" })
        {
            migrationBuilder.DropColumn(name: column, table: "Conversations");
        }
        migrationBuilder.DropTable(name: "ChannelInbound");
        migrationBuilder.DropTable(name: "ChannelContacts");
        migrationBuilder.DropTable(name: "Channels");
    }
}
