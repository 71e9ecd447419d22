using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>
/// Audit log, outbox and due-work tables. Written by hand and provider-neutral: no column types
/// are named, so each provider maps the CLR types exactly as it maps the model (docs/adr/0001).
/// </summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122000000_Foundation")]
internal sealed class Foundation : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "AuditLog",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: true),
                ActorId = table.Column<string>(maxLength: 64, nullable: false),
                Action = table.Column<string>(maxLength: 100, nullable: false),
                Subject = table.Column<string>(maxLength: 200, nullable: false),
                Before = table.Column<string>(nullable: true),
                After = table.Column<string>(nullable: true),
                Reason = table.Column<string>(maxLength: 500, nullable: true),
                IpAddress = table.Column<string>(maxLength: 45, nullable: true),
                OccurredAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_AuditLog", x => x.Id));
        migrationBuilder.CreateIndex(
            name: "IX_AuditLog_WorkspaceId_OccurredAt", table: "AuditLog", columns: ["WorkspaceId", "OccurredAt"]);

        CreateQueueTable(migrationBuilder, "Outbox", withKey: false);
        CreateQueueTable(migrationBuilder, "DueWork", withKey: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "DueWork");
        migrationBuilder.DropTable(name: "Outbox");
        migrationBuilder.DropTable(name: "AuditLog");
    }

    private static void CreateQueueTable(MigrationBuilder migrationBuilder, string name, bool withKey)
    {
        migrationBuilder.CreateTable(
            name: name,
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
            },
            constraints: table => table.PrimaryKey($"PK_{name}", x => x.Id));
        if (withKey)
        {
            migrationBuilder.AddColumn<string>(name: "Key", table: name, maxLength: 200, nullable: true);
            migrationBuilder.CreateIndex(name: $"IX_{name}_Key", table: name, column: "Key", unique: true);
        }
        migrationBuilder.CreateIndex(name: $"IX_{name}_LeaseToken", table: name, column: "LeaseToken");
        migrationBuilder.CreateIndex(name: $"IX_{name}_State_DueAt", table: name, columns: ["State", "DueAt"]);
    }
}
