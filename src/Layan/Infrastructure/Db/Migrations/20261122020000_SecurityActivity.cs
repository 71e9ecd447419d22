using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>LOG-8: the account activity log and the browsers each user has signed in from.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122020000_SecurityActivity")]
internal sealed class SecurityActivity : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "SecurityEvents",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 40, nullable: false),
                OccurredAt = table.Column<DateTime>(nullable: false),
                IpAddress = table.Column<string>(maxLength: 45, nullable: true),
                UserAgent = table.Column<string>(maxLength: 512, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SecurityEvents", x => x.Id);
                table.ForeignKey("FK_SecurityEvents_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_SecurityEvents_UserId_OccurredAt", table: "SecurityEvents", columns: ["UserId", "OccurredAt"]);

        migrationBuilder.CreateTable(
            name: "KnownDevices",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                DeviceHash = table.Column<string>(maxLength: 64, nullable: false),
                FirstSeenAt = table.Column<DateTime>(nullable: false),
                LastSeenAt = table.Column<DateTime>(nullable: false),
                UserAgent = table.Column<string>(maxLength: 512, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_KnownDevices", x => x.Id);
                table.ForeignKey("FK_KnownDevices_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_KnownDevices_UserId_DeviceHash", table: "KnownDevices", columns: ["UserId", "DeviceHash"], unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "KnownDevices");
        migrationBuilder.DropTable(name: "SecurityEvents");
    }
}
