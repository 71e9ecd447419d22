namespace Layan.Infrastructure.Db;

internal enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Section <c>Database</c>; the PostgreSQL connection string is <c>ConnectionStrings:Layan</c>.</summary>
internal sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations when the app starts (default on).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
