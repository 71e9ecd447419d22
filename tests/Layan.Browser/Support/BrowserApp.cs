using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Playwright;

namespace Layan.Browser.Support;

/// <summary>
/// Layan on a real Kestrel port on 127.0.0.1 (browsed as localhost) (SQLite in a temp folder) and Debian's Chromium
/// driven by Playwright. Both stop with the fixture.
/// </summary>
public sealed class BrowserApp : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
        // The widget test's shop page is served by Playwright and counts as a public site calling
        // Layan on loopback, which Chromium's local-network rules would stop; in production both
        // are public sites.
        "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults",
    ];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "layan-browser-" + Guid.NewGuid().ToString("N")[..8]);
    private Factory? _factory;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The providers' stand-in the channels talk to.</summary>
    internal Layan.Features.Channels.StandIn.ProviderStandIn StandIn { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Where screenshots go, for people to look at what the tests saw.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        Directory.CreateDirectory(Screenshots);
        // A port chosen up front, so the links Layan writes into emails point at this server.
        var port = FreeLoopbackPort();
        // "localhost", not the address: WebAuthn (passkeys) refuses an IP address as the site's id.
        BaseAddress = new Uri($"http://localhost:{port}/");
        StandIn = await Layan.Features.Channels.StandIn.ProviderStandIn.StartAsync();
        _factory = new Factory(_dataDirectory, BaseAddress, Clock, StandIn.BaseUrl);
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        _factory.StartServer();

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run ./test.sh, which installs Debian's chromium.");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArguments,
        });
    }

    /// <summary>A fresh browser profile (no cookies) whose browser language is <paramref name="locale"/>.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale, BaseURL = BaseAddress.ToString() });
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        if (StandIn is not null)
        {
            await StandIn.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>
    /// Waits until an email to <paramref name="address"/> whose subject starts with
    /// <paramref name="subjectStart"/> is in the developer mailbox, opens the newest such, and
    /// returns its page.
    /// </summary>
    public static async Task<IPage> OpenNewestMailAsync(IPage page, string address, string subjectStart)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await page.GotoAsync("/dev/mail");
            var row = page.Locator("tr", new PageLocatorOptions { HasText = address })
                .Filter(new LocatorFilterOptions { Has = page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = subjectStart }) });
            if (await row.CountAsync() > 0)
            {
                await row.First.GetByRole(AriaRole.Link).ClickAsync();
                return page;
            }
            await Task.Delay(100); // the outbox delivers in the background
        }
        throw new TimeoutException($"No email to {address} starting '{subjectStart}' arrived in the mailbox.");
    }

    /// <summary>The server's clock: real time, moved ahead by <see cref="OffsetClock.Advance"/> (periods ending, links expiring).</summary>
    public OffsetClock Clock { get; } = new();

    /// <summary>
    /// An active workspace of <paramref name="ownerEmail"/> with its Main Department and a test card,
    /// as opening, review, activation and setup leave it (those have their own flow test).
    /// </summary>
    public async Task<Guid> CreateActiveWorkspaceAsync(string ownerEmail, string name)
    {
        await using var scope = _factory!.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<Layan.Infrastructure.Db.LayanDbContext>();
        var owner = await services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Layan.Features.Accounts.User>>().FindByEmailAsync(ownerEmail)
            ?? throw new InvalidOperationException($"{ownerEmail} is not registered.");
        var now = Clock.GetUtcNow();
        var workspace = new Layan.Features.Workspaces.Workspace
        {
            Name = name,
            Type = "business",
            Country = "ES",
            TimeZone = "Europe/Madrid",
            DefaultLanguage = "en",
            Status = Layan.Features.Workspaces.WorkspaceStatus.Active,
            CreatedBy = owner.Id,
            CreatedAt = now,
            ActivatedAt = now,
        };
        db.Add(workspace);
        db.Add(new Layan.Features.Workspaces.WorkspaceMember { WorkspaceId = workspace.Id, UserId = owner.Id, Role = "administrator", JoinedAt = now });
        services.GetRequiredService<Layan.Infrastructure.Tenancy.TenantContext>().Enter(workspace.Id);
        db.Add(Layan.Features.Workspaces.Departments.MainDepartment(workspace.Id, "Main Department", now));
        db.Add(new Layan.Features.Onboarding.PaymentMethod
        {
            WorkspaceId = workspace.Id,
            Provider = "test",
            Token = "tok_test_browser",
            Brand = "visa",
            Last4 = "4242",
            ExpiryMonth = 12,
            ExpiryYear = now.Year + 3,
            CreatedAt = now,
        });
        await db.SaveChangesAsync();
        return workspace.Id;
    }

    /// <summary>Makes the registered <paramref name="email"/> a member of the workspace with <paramref name="role"/>, as an accepted invitation leaves them (the team flow has its own test).</summary>
    public async Task AddMemberAsync(Guid workspaceId, string email, string role)
    {
        await using var scope = _factory!.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = await services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Layan.Features.Accounts.User>>().FindByEmailAsync(email)
            ?? throw new InvalidOperationException($"{email} is not registered.");
        var db = services.GetRequiredService<Layan.Infrastructure.Db.LayanDbContext>();
        db.Add(new Layan.Features.Workspaces.WorkspaceMember { WorkspaceId = workspaceId, UserId = user.Id, Role = role, JoinedAt = Clock.GetUtcNow() });
        await db.SaveChangesAsync();
    }

    /// <summary>Makes the registered <paramref name="email"/> an operator with <paramref name="role"/> (as `operator create-admin` or an admin would).</summary>
    public async Task GrantOperatorRoleAsync(string email, string role)
    {
        await using var scope = _factory!.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Layan.Features.Accounts.User>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"{email} is not registered.");
        await scope.ServiceProvider.GetRequiredService<Layan.Features.Operator.OperatorStaff>().GrantAsync(user.Id, role, "test", CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<Layan.Infrastructure.Db.LayanDbContext>().SaveChangesAsync();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Factory(string dataDirectory, Uri publicUrl, TimeProvider clock, string providers) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton(clock);
            });
            builder.UseEnvironment("Development");
            builder.UseSetting("Storage:DataDirectory", dataDirectory);
            builder.UseSetting("Web:PublicUrl", publicUrl.ToString());
            // Several flows share this server within a minute; limits have their own tests.
            builder.UseSetting("RateLimits:AuthPerMinute", "1000");
            // The providers (Graph API, Telegram, the Facebook dialog) are the stand-in.
            builder.UseSetting("Channels:GraphBaseUrl", providers);
            builder.UseSetting("Channels:TelegramBaseUrl", providers);
            builder.UseSetting("Channels:FacebookDialogUrl", providers);
            builder.UseSetting("Channels:MetaAppId", "1234567890");
            builder.UseSetting("Channels:MetaAppSecret", "browser-app-secret");
            builder.UseSetting("Work:Inbound:PollInterval", "00:00:00.500");
            builder.UseSetting("Work:Outbox:PollInterval", "00:00:00.500");
        }
    }
}

/// <summary>Real time plus an offset the test moves forward; timers and the runners' polling keep running in real time.</summary>
public sealed class OffsetClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
