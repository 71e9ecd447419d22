using Layan.Features.DevMail;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Work;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Localization;

namespace Layan.Tests.Support;

/// <summary>
/// One Layan node over a <see cref="TestDatabase"/>, in process, with a <see cref="ManualClock"/>.
/// Settings are configuration keys as an operator would write them.
/// </summary>
public sealed class LayanApp : WebApplicationFactory<Program>
{
    private readonly TestDatabase _database;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly string _environment;
    private bool _ownsDatabase;

    public LayanApp(
        TestDatabase database,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string environment = "Development",
        ManualClock? clock = null)
    {
        _database = database;
        _settings = settings ?? new Dictionary<string, string?>();
        _services = services;
        _environment = environment;
        Clock = clock ?? new ManualClock();
    }

    public ManualClock Clock { get; }

    /// <summary>Settings for a node whose timers run only when a test says so (<c>app.Runner&lt;DueWork&gt;().RunOnceAsync</c>).</summary>
    public static Dictionary<string, string?> ManualTimers => new() { ["Work:DueWork:Enabled"] = "false", ["Inbox:SweepInterval"] = "00:00:00" };

    /// <summary>A node on a database of its own, dropped with the node.</summary>
    public static async Task<LayanApp> OnFreshSqliteAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string environment = "Development") =>
        new(await TestDatabase.CreateSqliteAsync(), settings, services, environment) { _ownsDatabase = true };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase)
        {
            await _database.DisposeAsync();
        }
    }

    public TestDatabase Database => _database;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.UseSetting("Storage:DataDirectory", _database.DataDirectory);
        builder.UseSetting("Database:Provider", _database.Provider.ToString());
        if (_database.Provider == Provider.Postgres)
        {
            builder.UseSetting("ConnectionStrings:Layan", _database.ConnectionString);
        }
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            _services?.Invoke(services);
        });
    }

    internal AsyncServiceScope Scope() => Services.CreateAsyncScope();

    internal WorkRunner<T> Runner<T>()
        where T : QueuedWork => Services.GetRequiredService<WorkRunner<T>>();

    /// <summary>Queues the developer test email, as the /dev/mail form does, and commits it.</summary>
    internal async Task<OutboxMessage> QueueTestEmailAsync(string to, string language = "en")
    {
        await using var scope = Scope();
        var mailer = scope.ServiceProvider.GetRequiredService<Mailer>();
        var strings = scope.ServiceProvider.GetRequiredService<IStringLocalizer<DevMailResource>>();
        var message = mailer.Queue(new EmailTemplate(strings, "TestEmail"), to, language, new Dictionary<string, string> { ["address"] = to });
        await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync();
        return message;
    }

    internal async Task<T?> FindAsync<T>(Guid id)
        where T : QueuedWork
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<LayanDbContext>().Set<T>().AsNoTracking().SingleOrDefaultAsync(w => w.Id == id);
    }

    internal Task<T> WaitForStateAsync<T>(Guid id, WorkState state)
        where T : QueuedWork =>
        Eventually.Until(async () => (await FindAsync<T>(id))!, w => w.State == state, $"{typeof(T).Name} {id} to be {state}");
}
