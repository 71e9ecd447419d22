using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>NOT-1: each agent chooses whether SLA warnings and breaches reach them by email (both on by default).</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261203000000_SlaEmailPreferences")]
internal sealed class SlaEmailPreferences : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<bool>(name: "EmailOnSlaWarning", table: "AgentStates", nullable: false, defaultValue: true);
        migrationBuilder.AddColumn<bool>(name: "EmailOnSlaBreach", table: "AgentStates", nullable: false, defaultValue: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn(name: "EmailOnSlaBreach", table: "AgentStates");
        migrationBuilder.DropColumn(name: "EmailOnSlaWarning", table: "AgentStates");
    }
}
