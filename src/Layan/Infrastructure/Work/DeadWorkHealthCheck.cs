using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Layan.Infrastructure.Work;

/// <summary>
/// Shows the operator dead rows of a queue at <c>/health/ready</c>: Degraded (still HTTP 200, so a
/// load balancer keeps the node) with how many there are and the newest error.
/// </summary>
internal sealed class DeadWorkHealthCheck<T>(IDbContextFactory<LayanDbContext> contexts) : IHealthCheck
    where T : QueuedWork
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var dead = db.Set<T>().Where(w => w.State == WorkState.Dead);
            var count = await dead.CountAsync(cancellationToken);
            if (count == 0)
            {
                return HealthCheckResult.Healthy();
            }
            var newest = await dead.OrderByDescending(w => w.CompletedAt).Select(w => new { w.Kind, w.LastError }).FirstAsync(cancellationToken);
            return HealthCheckResult.Degraded($"{count} dead; newest: {newest.Kind}: {newest.LastError}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database check reports an unreachable database; this one only reports dead work.
            return HealthCheckResult.Degraded("Dead work could not be counted.", ex);
        }
    }
}
