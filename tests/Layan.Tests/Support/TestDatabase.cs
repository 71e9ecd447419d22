using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Layan.Tests.Support;

public enum Provider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh database (a SQLite file, or a new database on the test PostgreSQL server) and a fresh
/// data directory, shared by every app instance a test starts on it ("nodes").
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(Provider provider, string dataDirectory, string connectionString)
    {
        Provider = provider;
        DataDirectory = dataDirectory;
        ConnectionString = connectionString;
    }

    public Provider Provider { get; }

    public string DataDirectory { get; }

    public string ConnectionString { get; }

    internal DatabaseProvider DatabaseProvider => Provider == Provider.Postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;

    public static Task<TestDatabase> CreateSqliteAsync() => CreateAsync(Provider.Sqlite, postgres: null);

    public static async Task<TestDatabase> CreateAsync(Provider provider, PostgresServer? postgres)
    {
        var directory = Path.Combine(Path.GetTempPath(), "layan-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        var connectionString = provider == Provider.Postgres
            ? await (postgres ?? throw new ArgumentNullException(nameof(postgres))).CreateDatabaseAsync()
            : DatabaseModule.SqliteConnectionString(Path.Combine(directory, "layan.db"));
        return new TestDatabase(provider, directory, connectionString);
    }

    /// <summary>A context on this database outside any app (for schema tests and direct checks).</summary>
    internal LayanDbContext CreateContext(TenantContext? tenant = null)
    {
        var options = new DbContextOptionsBuilder<LayanDbContext>();
        options.UseLayanDatabase(DatabaseProvider, ConnectionString);
        return new LayanDbContext(options.Options, tenant ?? new TenantContext());
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a stopping host; the temp folder is cleaned by the OS.
        }
        return ValueTask.CompletedTask;
    }
}
