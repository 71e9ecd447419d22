using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>
/// A signed-in session kept on the server (LOG-8, LOG-10): the cookie holds only its id, so ending
/// a session (revoking it, changing the password) takes effect on the next request.
/// </summary>
internal sealed class UserSession
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    public required byte[] Ticket { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>No request may be served by this session after this instant (LOG-10: 24 hours).</summary>
    public DateTimeOffset AbsoluteExpiresAt { get; init; }

    public string? IpAddress { get; init; }

    public string? UserAgent { get; init; }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> builder)
    {
        builder.ToTable("UserSessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.IpAddress).HasMaxLength(45);
        builder.Property(s => s.UserAgent).HasMaxLength(512);
        builder.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.UserId);
    }
}

/// <summary>The cookie handler's ticket store, in <see cref="UserSession"/> rows.</summary>
internal sealed class SessionTicketStore(IServiceScopeFactory scopes, TimeProvider clock, IOptions<AccountOptions> options) : ITicketStore
{
    private const string CurrentSessionItem = "Layan.Accounts.SessionId";

    /// <summary>The session that serves this request, if any.</summary>
    public static Guid? CurrentSession(HttpContext? httpContext) =>
        httpContext?.Items.TryGetValue(CurrentSessionItem, out var id) == true ? id as Guid? : null;

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null!, CancellationToken.None);

    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) => StoreAsync(ticket, null!, cancellationToken);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Infrastructure.Db.LayanDbContext>();
        var now = clock.GetUtcNow();
        var userAgent = httpContext?.Request.Headers.UserAgent.ToString();
        var session = new UserSession
        {
            UserId = Guid.Parse(ticket.Principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value),
            Ticket = TicketSerializer.Default.Serialize(ticket),
            CreatedAt = now,
            LastSeenAt = now,
            AbsoluteExpiresAt = now + options.Value.SessionAbsolute,
            IpAddress = httpContext?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = userAgent is { Length: > 512 } ? userAgent[..512] : userAgent,
        };
        db.Set<UserSession>().Add(session);
        await db.SaveChangesAsync(cancellationToken);
        httpContext?.Items[CurrentSessionItem] = session.Id;
        return session.Id.ToString("N");
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null!, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) => RenewAsync(key, ticket, null!, cancellationToken);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(key, "N", out var id))
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Infrastructure.Db.LayanDbContext>();
        var now = clock.GetUtcNow();
        var userId = Guid.Parse(ticket.Principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value);
        await db.Set<UserSession>().Where(s => s.Id == id).ExecuteUpdateAsync(
            s => s.SetProperty(x => x.Ticket, TicketSerializer.Default.Serialize(ticket)).SetProperty(x => x.LastSeenAt, now),
            cancellationToken);
        // Someone else signed in on this browser (the cookie handler keeps the key): from now on the
        // session is theirs, so their session list, revocations and password changes reach it.
        await db.Set<UserSession>().Where(s => s.Id == id && s.UserId != userId).ExecuteUpdateAsync(
            s => s.SetProperty(x => x.UserId, userId).SetProperty(x => x.CreatedAt, now)
                .SetProperty(x => x.AbsoluteExpiresAt, now + options.Value.SessionAbsolute),
            cancellationToken);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null!, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, null!, cancellationToken);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(key, "N", out var id))
        {
            return null;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Infrastructure.Db.LayanDbContext>();
        var session = await db.Set<UserSession>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (session is null || clock.GetUtcNow() >= session.AbsoluteExpiresAt)
        {
            return null;
        }
        httpContext?.Items[CurrentSessionItem] = session.Id;
        return TicketSerializer.Default.Deserialize(session.Ticket);
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, null!, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => RemoveAsync(key, null!, cancellationToken);

    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(key, "N", out var id))
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Infrastructure.Db.LayanDbContext>();
        await db.Set<UserSession>().Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
    }
}

internal static class SessionCookies
{
    /// <summary>Identity's application cookie, backed by <see cref="SessionTicketStore"/>, idle and absolute limits from <see cref="AccountOptions"/>.</summary>
    public static void ConfigureSessionCookie(this IServiceCollection services)
    {
        services.AddSingleton<SessionTicketStore>();
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<SessionTicketStore, IOptions<AccountOptions>>((cookie, store, accounts) =>
            {
                cookie.SessionStore = store;
                cookie.ExpireTimeSpan = accounts.Value.SessionIdle;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/login";
                cookie.LogoutPath = "/logout";
                cookie.AccessDeniedPath = "/login";
                cookie.Cookie.Name = "layan.session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
            });
    }

    // The API answers 401/403; pages redirect to the login page.
    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
