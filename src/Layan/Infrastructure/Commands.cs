using Layan.Infrastructure.Db;

namespace Layan.Infrastructure;

/// <summary>
/// Operator commands: <c>dotnet run --project src/Layan -- &lt;command&gt;</c>: <c>migrate</c>, and
/// <c>operator create-admin &lt;email&gt;</c> (prints a one-time set-password link).
/// </summary>
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
            case ["operator", "create-admin", var email, ..]:
                await using (var scope = app.Services.CreateAsyncScope())
                {
                    await DatabaseModule.MigrateAsync(app.Services);
                    var created = await scope.ServiceProvider.GetRequiredService<Features.Operator.OperatorBootstrap>().CreateAdminAsync(email, CancellationToken.None);
                    LogAdminCreated(app.Logger, created.User.Email!);
                    // Printed, not logged: the operator hands it to the new admin.
                    await Console.Out.WriteLineAsync(created.SetPasswordLink is { } link
                        ? $"Set the password here (works once, for 24 hours): {link}"
                        : "The account already has a password; it can sign in at /login.");
                }
                return true;
            case ["operator", ..]:
                await Console.Error.WriteLineAsync("Usage: operator create-admin <email>");
                Environment.ExitCode = 2;
                return true;
            default:
                return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Email} is an operator admin.")]
    private static partial void LogAdminCreated(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database is up to date.")]
    private static partial void LogMigrated(ILogger logger);
}
