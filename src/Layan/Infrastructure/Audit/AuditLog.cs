using System.Security.Claims;
using System.Text.Json;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Layan.Infrastructure.Audit;

/// <summary>
/// Records administrative changes. Entries are added to the scoped <see cref="LayanDbContext"/>
/// and saved by the caller's own SaveChanges, so a change and its audit entry commit together.
/// </summary>
internal sealed class AuditLog(
    LayanDbContext db,
    TenantContext tenant,
    TimeProvider clock,
    IHttpContextAccessor http,
    IDbContextFactory<LayanDbContext> contexts)
{
    internal const string SystemActor = "system";

    public AuditEntry Record(
        string action,
        string subject,
        object? before,
        object? after,
        string? reason = null,
        string? actorId = null,
        Guid? workspaceId = null)
    {
        var entry = Create(action, subject, before, after, reason, actorId, workspaceId);
        db.AuditLog.Add(entry);
        return entry;
    }

    /// <summary>
    /// Records an action that changes nothing else (an operator reading across workspaces) and
    /// saves it at once, in a context of its own.
    /// </summary>
    public async Task RecordNowAsync(string action, string subject, string reason, string actorId, CancellationToken cancellationToken)
    {
        await using var own = await contexts.CreateDbContextAsync(cancellationToken);
        own.AuditLog.Add(Create(action, subject, before: null, after: null, reason, actorId, workspaceId: null));
        await own.SaveChangesAsync(cancellationToken);
    }

    private AuditEntry Create(
        string action, string subject, object? before, object? after, string? reason, string? actorId, Guid? workspaceId)
    {
        var context = http.HttpContext;
        return new AuditEntry
        {
            WorkspaceId = workspaceId ?? tenant.WorkspaceId,
            ActorId = actorId ?? context?.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? SystemActor,
            Action = action,
            Subject = subject,
            Before = Serialize(before),
            After = Serialize(after),
            Reason = reason,
            IpAddress = context?.Connection.RemoteIpAddress?.ToString(),
            OccurredAt = clock.GetUtcNow(),
        };
    }

    private static string? Serialize(object? value) =>
        value is null ? null : JsonSerializer.Serialize(value, JsonSerializerOptions.Web);
}

internal static class AuditModule
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<AuditLog>();
        return builder;
    }
}
