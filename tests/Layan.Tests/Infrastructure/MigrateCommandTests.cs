using System.Diagnostics;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Infrastructure;

// Covers `dotnet run --project src/Layan -- migrate`: the built app, run as an operator would,
// brings a database up to date and exits, on SQLite and on PostgreSQL.
public sealed class MigrateCommandTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task The_migrate_command_brings_the_database_up_to_date_and_exits(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Repo.AppDll);
        info.ArgumentList.Add("migrate");
        // Settings as an operator passes them: after the command, and in the environment.
        info.ArgumentList.Add($"--Database:Provider={provider}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Storage__DataDirectory"] = database.DataDirectory;
        info.Environment["Database__MigrateOnStartup"] = "false";
        info.Environment["ConnectionStrings__Layan"] = provider == Provider.Postgres ? database.ConnectionString : "";

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        var errors = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        process.ExitCode.ShouldBe(0, output + errors);
        output.ShouldContain("The database is up to date.");
        await using var db = database.CreateContext();
        (await db.Database.GetPendingMigrationsAsync(Ct)).ShouldBeEmpty();
        (await db.Database.GetAppliedMigrationsAsync(Ct)).ShouldContain("20261122000000_Foundation");
    }
}
