using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>
/// The queues' lease-token index holds only claimed rows: a timer moved, re-armed or completed
/// (a million of them after a calendar edit, issue 8's recount) no longer writes an entry to it.
/// </summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261203010000_ClaimedWorkIndex")]
internal sealed class ClaimedWorkIndex : Migration
{
    private static readonly string[] Queues = ["Outbox", "DueWork", "ChannelInbound"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var table in Queues)
        {
            migrationBuilder.DropIndex(name: $"IX_{table}_LeaseToken", table: table);
            migrationBuilder.CreateIndex(name: $"IX_{table}_LeaseToken", table: table, column: "LeaseToken", filter: "\"LeaseToken\" IS NOT NULL");
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in Queues)
        {
            migrationBuilder.DropIndex(name: $"IX_{table}_LeaseToken", table: table);
            migrationBuilder.CreateIndex(name: $"IX_{table}_LeaseToken", table: table, column: "LeaseToken");
        }
    }
}
