using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>PLAN-2: how each workspace pays (the Shop, or its account manager).</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122080000_Plans")]
internal sealed class Plans : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<string>(name: "BillingMode", table: "Workspaces", maxLength: 20, nullable: false, defaultValue: "online_prepaid");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "BillingMode", table: "Workspaces");
}
