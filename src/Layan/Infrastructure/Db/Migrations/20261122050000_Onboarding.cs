using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Layan.Infrastructure.Db.Migrations;

/// <summary>
/// ONB-1..7 and ACC-10: workspaces and their members, application documents, payment methods,
/// regional rules (seeded), and operator staff roles.
/// </summary>
[DbContext(typeof(LayanDbContext))]
[Migration("20261122050000_Onboarding")]
internal sealed class Onboarding : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Workspaces",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Name = table.Column<string>(maxLength: 100, nullable: false),
                Type = table.Column<string>(maxLength: 20, nullable: false),
                Country = table.Column<string>(maxLength: 2, nullable: false),
                TimeZone = table.Column<string>(maxLength: 64, nullable: false),
                DefaultLanguage = table.Column<string>(maxLength: 5, nullable: false),
                Status = table.Column<string>(maxLength: 20, nullable: false),
                CreatedBy = table.Column<Guid>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                SubmittedAt = table.Column<DateTime>(nullable: true),
                DecidedAt = table.Column<DateTime>(nullable: true),
                DecisionReason = table.Column<string>(maxLength: 2000, nullable: true),
                ClaimedBy = table.Column<Guid>(nullable: true),
                ClaimExpiresAt = table.Column<DateTime>(nullable: true),
                ActivationTokenHash = table.Column<string>(maxLength: 64, nullable: true),
                ActivationExpiresAt = table.Column<DateTime>(nullable: true),
                ActivatedAt = table.Column<DateTime>(nullable: true),
                SetupStep = table.Column<string>(maxLength: 20, nullable: true),
                BusinessHours = table.Column<string>(maxLength: 4000, nullable: true),
                NotifyByEmail = table.Column<bool>(nullable: false),
                NotifyWithSound = table.Column<bool>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Workspaces", x => x.Id);
                table.ForeignKey("FK_Workspaces_AspNetUsers_CreatedBy", x => x.CreatedBy, "AspNetUsers", "Id", onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex(name: "IX_Workspaces_CreatedBy", table: "Workspaces", column: "CreatedBy");
        migrationBuilder.CreateIndex(name: "IX_Workspaces_Status_SubmittedAt", table: "Workspaces", columns: ["Status", "SubmittedAt"]);

        migrationBuilder.CreateTable(
            name: "WorkspaceMembers",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                UserId = table.Column<Guid>(nullable: false),
                Role = table.Column<string>(maxLength: 20, nullable: false),
                JoinedAt = table.Column<DateTime>(nullable: false),
                Active = table.Column<bool>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_WorkspaceMembers", x => x.Id);
                table.ForeignKey("FK_WorkspaceMembers_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_WorkspaceMembers_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_WorkspaceMembers_WorkspaceId_UserId", table: "WorkspaceMembers", columns: ["WorkspaceId", "UserId"], unique: true);
        migrationBuilder.CreateIndex(name: "IX_WorkspaceMembers_UserId", table: "WorkspaceMembers", column: "UserId");

        migrationBuilder.CreateTable(
            name: "WorkspaceDocuments",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Kind = table.Column<string>(maxLength: 40, nullable: false),
                FileName = table.Column<string>(maxLength: 200, nullable: false),
                ContentType = table.Column<string>(maxLength: 40, nullable: false),
                Size = table.Column<long>(nullable: false),
                StorageKey = table.Column<string>(maxLength: 200, nullable: false),
                UploadedAt = table.Column<DateTime>(nullable: false),
                UploadedBy = table.Column<Guid>(nullable: false),
                Current = table.Column<bool>(nullable: false),
                Verdict = table.Column<string>(maxLength: 20, nullable: false),
                VerdictReason = table.Column<string>(maxLength: 1000, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_WorkspaceDocuments", x => x.Id);
                table.ForeignKey("FK_WorkspaceDocuments_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_WorkspaceDocuments_WorkspaceId_Kind_Current", table: "WorkspaceDocuments", columns: ["WorkspaceId", "Kind", "Current"]);

        migrationBuilder.CreateTable(
            name: "PaymentMethods",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                WorkspaceId = table.Column<Guid>(nullable: false),
                Provider = table.Column<string>(maxLength: 20, nullable: false),
                Token = table.Column<string>(maxLength: 200, nullable: false),
                Brand = table.Column<string>(maxLength: 20, nullable: false),
                Last4 = table.Column<string>(maxLength: 4, nullable: false),
                ExpiryMonth = table.Column<int>(nullable: false),
                ExpiryYear = table.Column<int>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_PaymentMethods", x => x.Id);
                table.ForeignKey("FK_PaymentMethods_Workspaces_WorkspaceId", x => x.WorkspaceId, "Workspaces", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex(name: "IX_PaymentMethods_WorkspaceId", table: "PaymentMethods", column: "WorkspaceId");

        migrationBuilder.CreateTable(
            name: "RegionalRules",
            columns: table => new
            {
                Country = table.Column<string>(maxLength: 2, nullable: false),
                PhoneVerificationRequired = table.Column<bool>(nullable: false),
                IndividualDocuments = table.Column<string>(maxLength: 200, nullable: false),
                BusinessDocuments = table.Column<string>(maxLength: 200, nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_RegionalRules", x => x.Country));
        var seeded = new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc);
        // Migrations carry no model, so the seed names its column types per provider.
        migrationBuilder.InsertData(
            table: "RegionalRules",
            columns: ["Country", "PhoneVerificationRequired", "IndividualDocuments", "BusinessDocuments", "UpdatedAt"],
            columnTypes: migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL"
                ? ["character varying(2)", "boolean", "character varying(200)", "character varying(200)", "timestamp with time zone"]
                : ["TEXT", "INTEGER", "TEXT", "TEXT", "TEXT"],
            values: new object[,]
            {
                { "*", false, "government_id,proof_of_address", "government_id,proof_of_address,business_registration", seeded },
                { "ID", true, "government_id,proof_of_address", "government_id,proof_of_address,business_registration", seeded },
            });

        migrationBuilder.CreateTable(
            name: "OperatorStaff",
            columns: table => new
            {
                UserId = table.Column<Guid>(nullable: false),
                Role = table.Column<string>(maxLength: 20, nullable: false),
                GrantedAt = table.Column<DateTime>(nullable: false),
                GrantedBy = table.Column<string>(maxLength: 64, nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_OperatorStaff", x => new { x.UserId, x.Role });
                table.ForeignKey("FK_OperatorStaff_AspNetUsers_UserId", x => x.UserId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "OperatorStaff");
        migrationBuilder.DropTable(name: "RegionalRules");
        migrationBuilder.DropTable(name: "PaymentMethods");
        migrationBuilder.DropTable(name: "WorkspaceDocuments");
        migrationBuilder.DropTable(name: "WorkspaceMembers");
        migrationBuilder.DropTable(name: "Workspaces");
    }
}
