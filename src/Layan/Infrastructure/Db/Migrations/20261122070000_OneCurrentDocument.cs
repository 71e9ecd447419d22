using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>ONB-2: at most one current document of each kind per application, even when two uploads race.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122070000_OneCurrentDocument")]
internal sealed class OneCurrentDocument : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.CreateIndex(
            name: "IX_WorkspaceDocuments_OneCurrentPerKind", table: "WorkspaceDocuments", columns: ["WorkspaceId", "Kind"], unique: true, filter: "\"Current\"");

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropIndex(name: "IX_WorkspaceDocuments_OneCurrentPerKind", table: "WorkspaceDocuments");
}
