using Layan.Infrastructure.Db;

namespace Layan.Infrastructure;

/// <summary>Operator commands: <c>dotnet run --project src/Layan -- &lt;command&gt;</c>.</summary>
internal static partial class Commands
{
    /// <summary>
    /// Runs the command named by the first argument, if any; true when the process should then
    /// exit. Settings may follow it (<c>migrate --Database:Provider=Postgres</c>).
    /// </summary>
    public static async Task<bool> RunCommandAsync(this WebApplication app, string[] args)
    {
        switch (args)
        {
            case ["migrate", ..]:
                await DatabaseModule.MigrateAsync(app.Services);
                LogMigrated(app.Logger);
                return true;
            default:
                return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The database is up to date.")]
    private static partial void LogMigrated(ILogger logger);
}
