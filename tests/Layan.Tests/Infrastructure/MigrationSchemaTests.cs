using System.Data.Common;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Infrastructure;

// Covers the foundation's migration contract (docs/adr/0001): the hand-written migrations build
// exactly the schema the model describes, on SQLite and on PostgreSQL.
public sealed class MigrationSchemaTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Migrations_build_the_same_schema_as_the_model(Provider provider)
    {
        await using var migrated = await TestDatabase.CreateAsync(provider, postgres);
        await using var created = await TestDatabase.CreateAsync(provider, postgres);
        await using (var db = migrated.CreateContext())
        {
            await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        }
        await using (var db = created.CreateContext())
        {
            await db.Database.EnsureCreatedAsync(TestContext.Current.CancellationToken);
        }

        var fromMigrations = await SchemaOf(migrated, provider);
        var fromModel = await SchemaOf(created, provider);

        fromModel.ShouldNotBeEmpty();
        fromMigrations.Except(fromModel).ShouldBeEmpty("in the migrated schema but not in the model");
        fromModel.Except(fromMigrations).ShouldBeEmpty("in the model but not in the migrated schema");
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Migrating_twice_changes_nothing(Provider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = database.CreateContext();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        var before = await SchemaOf(database, provider);

        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);

        (await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
        (await SchemaOf(database, provider)).ShouldBe(before);
    }

    /// <summary>Tables, columns (type, nullability, default), keys, indexes and foreign keys, one line each, sorted.</summary>
    private static async Task<List<string>> SchemaOf(TestDatabase database, Provider provider)
    {
        await using var db = database.CreateContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var lines = provider == Provider.Sqlite ? await SqliteSchema(connection) : await PostgresSchema(connection);
        return [.. lines.Order(StringComparer.Ordinal)];
    }

    private static async Task<List<string>> SqliteSchema(DbConnection connection)
    {
        var lines = new List<string>();
        var tables = await Query(connection,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND substr(name, 1, 4) <> '__EF'");
        foreach (var table in tables.Select(t => t[0]))
        {
            lines.Add($"table {table}");
            foreach (var c in await Query(connection, $"PRAGMA table_info('{table}')"))
            {
                lines.Add($"column {table}.{c[1]} {c[2]} notnull={c[3]} default={c[4]} pk={c[5]}");
            }
            foreach (var index in await Query(connection, $"PRAGMA index_list('{table}')"))
            {
                var columns = await Query(connection, $"PRAGMA index_info('{index[1]}')");
                lines.Add($"index {table}.{index[1]} unique={index[2]} origin={index[3]} partial={index[4]} ({string.Join(",", columns.Select(x => x[2]))})");
            }
            foreach (var fk in await Query(connection, $"PRAGMA foreign_key_list('{table}')"))
            {
                lines.Add($"fk {table}.{fk[3]} -> {fk[2]}.{fk[4]} on delete {fk[6]}");
            }
        }
        return lines;
    }

    private static async Task<List<string>> PostgresSchema(DbConnection connection)
    {
        var lines = new List<string>();
        const string ours = "table_schema = 'public' AND substr(table_name, 1, 4) <> '__EF'";
        foreach (var t in await Query(connection, $"SELECT table_name FROM information_schema.tables WHERE {ours}"))
        {
            lines.Add($"table {t[0]}");
        }
        foreach (var c in await Query(connection,
                     "SELECT table_name, column_name, data_type, coalesce(character_maximum_length::text, ''), is_nullable, coalesce(column_default, '') " +
                     $"FROM information_schema.columns WHERE {ours}"))
        {
            lines.Add($"column {c[0]}.{c[1]} {c[2]}({c[3]}) nullable={c[4]} default={c[5]}");
        }
        foreach (var i in await Query(connection,
                     "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND substr(tablename, 1, 4) <> '__EF'"))
        {
            lines.Add($"index {i[0]}.{i[1]} {i[2]}");
        }
        foreach (var k in await Query(connection,
                     "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint " +
                     "WHERE connamespace = 'public'::regnamespace AND substr(conrelid::regclass::text, 1, 5) <> '\"__EF'"))
        {
            lines.Add($"constraint {k[0]}.{k[1]} {k[2]}");
        }
        return lines;
    }

    private static async Task<List<string[]>> Query(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<string[]>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "")]);
        }
        return rows;
    }
}
