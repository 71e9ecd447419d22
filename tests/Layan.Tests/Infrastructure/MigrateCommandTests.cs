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
        // Settings as an operator passes them: after the command, and in the environment.
        var output = await Processes.RunAsync("dotnet", [Repo.AppDll, "migrate", $"--Database:Provider={provider}"], environment: new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Storage__DataDirectory"] = database.DataDirectory,
            ["Database__MigrateOnStartup"] = "false",
            ["ConnectionStrings__Layan"] = provider == Provider.Postgres ? database.ConnectionString : "",
        });

        output.ShouldContain("The database is up to date.");
        await using var db = database.CreateContext();
        (await db.Database.GetPendingMigrationsAsync(Ct)).ShouldBeEmpty();
        (await db.Database.GetAppliedMigrationsAsync(Ct)).ShouldContain("20261122000000_Foundation");
    }
}
