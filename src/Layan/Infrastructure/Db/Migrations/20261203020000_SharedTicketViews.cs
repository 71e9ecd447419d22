using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>TKT-1: a saved ticket view may be shared with the whole workspace.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261203020000_SharedTicketViews")]
internal sealed class SharedTicketViews : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<bool>(name: "Shared", table: "TicketViews", nullable: false, defaultValue: false);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "Shared", table: "TicketViews");
}
