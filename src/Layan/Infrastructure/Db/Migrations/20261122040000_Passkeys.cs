using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>LOG-2: Identity's passkey table, and the WebAuthn ceremonies in progress.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122040000_Passkeys")]
internal sealed class Passkeys : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        var json = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL" ? "jsonb" : "TEXT";
        migrationBuilder.CreateTable(
            name: "AspNetUserPasskeys",
            columns: table => new
            {
                CredentialId = table.Column<byte[]>(maxLength: 1024, nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Data = table.Column<string>(type: json, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_AspNetUserPasskeys", x => x.CredentialId);
                table.ForeignKey("FK_AspNetUserPasskeys_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_AspNetUserPasskeys_UserId", table: "AspNetUserPasskeys", column: "UserId");

        migrationBuilder.CreateTable(
            name: "PasskeyCeremonies",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: true),
                Kind = table.Column<string>(maxLength: 10, nullable: false),
                ProtectedState = table.Column<string>(nullable: false),
                ExpiresAt = table.Column<DateTime>(nullable: false),
                UsedAt = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_PasskeyCeremonies", x => x.Id);
                table.ForeignKey("FK_PasskeyCeremonies_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_PasskeyCeremonies_ExpiresAt", table: "PasskeyCeremonies", column: "ExpiresAt");
        migrationBuilder.CreateIndex(name: "IX_PasskeyCeremonies_UserId", table: "PasskeyCeremonies", column: "UserId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "PasskeyCeremonies");
        migrationBuilder.DropTable(name: "AspNetUserPasskeys");
    }
}
