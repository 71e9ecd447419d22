using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>TKT-6: departments that count business time on a calendar of their own.</summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261201030000_DepartmentCalendars")]
internal sealed class DepartmentCalendars : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "SlaDepartmentCalendars",
            columns: table => new
            {
                DepartmentId = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                CalendarId = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SlaDepartmentCalendars", x => x.DepartmentId);
                table.ForeignKey("FK_SlaDepartmentCalendars_Departments_DepartmentId", x => x.DepartmentId, "Departments", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_SlaDepartmentCalendars_SlaCalendars_CalendarId", x => x.CalendarId, "SlaCalendars", "Id", onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex(name: "IX_SlaDepartmentCalendars_CalendarId", table: "SlaDepartmentCalendars", column: "CalendarId");
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "SlaDepartmentCalendars");
}
