using Layan.Infrastructure.Db;

namespace Layan.Infrastructure;

/// <summary>
/// Operator commands: <c>dotnet run --project src/Layan -- &lt;command&gt;</c>: <c>migrate</c>,
/// <c>operator create-admin &lt;email&gt;</c> (prints a one-time set-password link), and
/// <c>stand-in [port]</c> (the providers' stand-in, for trying channels without provider accounts).
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
            case ["stand-in", .. var rest]:
                {
                    var port = rest is [var text, ..] && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : 5050;
                    await using var standIn = await Features.Channels.StandIn.ProviderStandIn.StartAsync(port);
                    standIn.AcceptAnyBotToken = true;
                    // Printed: the operator copies these settings.
                    await Console.Out.WriteLineAsync($"""
                        Provider stand-in on {standIn.BaseUrl} (Graph API, Telegram Bot API, the Facebook dialog). Run Layan with:
                          --Channels:GraphBaseUrl={standIn.BaseUrl} --Channels:TelegramBaseUrl={standIn.BaseUrl} --Channels:FacebookDialogUrl={standIn.BaseUrl} --Channels:MetaAppId=1 --Channels:MetaAppSecret=standin
                        Play a customer: curl -X POST "{standIn.BaseUrl}/_standin/whatsapp?url=<webhook URL>&secret=<app secret>&phoneNumberId=<id>&from=6281234567890&text=Halo"
                        Ctrl+C stops it.
                        """);
                    var stopped = new TaskCompletionSource();
                    Console.CancelKeyPress += (_, e) =>
                    {
                        e.Cancel = true;
                        stopped.TrySetResult();
                    };
                    await stopped.Task;
                    return true;
                }
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
