using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Work;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Layan.Infrastructure.Db;

internal static class DatabaseModule
{
    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().Bind(builder.Configuration.GetSection(DatabaseOptions.Section));
        builder.Services.AddScoped<TenantContext>();
        // Scoped factory: contexts made by Blazor components and jobs share the scope's tenant.
        builder.Services.AddDbContextFactory<LayanDbContext>(
            (services, options) => Configure(services, options),
            ServiceLifetime.Scoped);
        builder.Services.AddHostedService<MigrateOnStartup>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    private static void Configure(IServiceProvider services, DbContextOptionsBuilder options)
    {
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var connectionString = database.Provider switch
        {
            DatabaseProvider.Postgres => services.GetRequiredService<IConfiguration>().GetConnectionString("Layan") is { Length: > 0 } configured
                ? configured
                : throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Layan is not set."),
            _ => SqliteConnectionString(services.GetRequiredService<IOptions<StorageOptions>>().Value.PathFor("layan.db")),
        };
        options.UseLayanDatabase(database.Provider, connectionString);
        options.AddInterceptors(services.GetRequiredService<WorkCommittedInterceptor>(), services.GetRequiredService<Features.Realtime.EventsCommittedInterceptor>());
    }

    /// <summary>The provider settings every <see cref="LayanDbContext"/> is made with (the app's and the tests').</summary>
    public static DbContextOptionsBuilder UseLayanDatabase(
        this DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            options.UseNpgsql(PostgresDefaults(connectionString));
        }
        else
        {
            options.UseSqlite(connectionString);
        }
        // Migrations are written by hand, with no model snapshot to compare against; the
        // migration-equality test proves the schema instead (docs/adr/0001).
        return options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    /// <summary>
    /// Npgsql settings Layan wants unless the connection string says otherwise. A pooled connection
    /// is not reset with <c>DISCARD ALL</c> each time it is taken (Layan keeps no session state: its
    /// settings are <c>SET LOCAL</c>, its locks and temporary tables end with the transaction), so
    /// the statements it runs most are prepared once per connection and stay prepared.
    /// </summary>
    internal static string PostgresDefaults(string connectionString) => Defaulted.GetOrAdd(connectionString, WithDefaults);

    // Options are made per scope: the string is parsed once, not on every request.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Defaulted = new();

    private static string WithDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var named = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!named.ContainsKey("No Reset On Close") && !named.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        if (!named.ContainsKey("Max Auto Prepare") && !named.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 200;
        }
        return builder.ConnectionString;
    }

    /// <summary>
    /// Inside a transaction: waits for, then holds, the workspace's row until the transaction ends,
    /// so a count and an insert (quotas, the last administrator) cannot interleave with another's.
    /// SQLite transactions already hold the database's write lock from their start.
    /// </summary>
    public static async Task LockWorkspaceAsync(this LayanDbContext db, Guid workspaceId, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM \"Workspaces\" WHERE \"Id\" = {workspaceId} FOR UPDATE", cancellationToken);
        }
    }

    public static string SqliteConnectionString(string file) =>
        new SqliteConnectionStringBuilder { DataSource = file, ForeignKeys = true, DefaultTimeout = 30 }.ToString();

    /// <summary>Applies pending migrations; safe on several nodes at once (EF takes a migration lock).</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // One writer, many readers without blocking them; kept in the file once set.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>Runs before every other hosted service, so queue runners start on a migrated database.</summary>
    private sealed class MigrateOnStartup(IServiceProvider services, IOptions<DatabaseOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            options.Value.MigrateOnStartup ? MigrateAsync(services, cancellationToken) : Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
