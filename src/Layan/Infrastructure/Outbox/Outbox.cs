using System.Text.Json;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Layan.Infrastructure.Work;

namespace Layan.Infrastructure.Outbox;

/// <summary>
/// Adds outgoing messages to the scoped unit of work. Nothing is sent until the caller's
/// SaveChanges commits; if it never commits, nothing is sent.
/// </summary>
internal sealed class Outbox(LayanDbContext db, TenantContext tenant, TimeProvider clock)
{
    public OutboxMessage Enqueue(string kind, object payload)
    {
        var now = clock.GetUtcNow();
        var message = new OutboxMessage
        {
            Kind = kind,
            Payload = JsonSerializer.Serialize(payload, payload.GetType(), JsonSerializerOptions.Web),
            WorkspaceId = tenant.WorkspaceId,
            CreatedAt = now,
            DueAt = now,
        };
        db.Outbox.Add(message);
        return message;
    }
}

internal static class OutboxModule
{
    public static WebApplicationBuilder AddOutbox(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<Outbox>();
        return builder.AddWorkQueue<OutboxMessage>("Outbox");
    }
}
