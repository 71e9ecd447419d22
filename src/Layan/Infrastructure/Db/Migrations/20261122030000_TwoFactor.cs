using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>LOG-10: the last authenticator time step accepted per user, so a code works once.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122030000_TwoFactor")]
internal sealed class TwoFactor : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<long>(name: "LastTotpStep", table: "AspNetUsers", nullable: true);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "LastTotpStep", table: "AspNetUsers");
}
