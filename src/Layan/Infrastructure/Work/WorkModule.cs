using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Layan.Infrastructure.Work;

internal static class WorkModule
{
    /// <summary>Registers a queue table with its runner, signal and options section <c>Work:{name}</c>.</summary>
    public static WebApplicationBuilder AddWorkQueue<T>(this WebApplicationBuilder builder, string name)
        where T : QueuedWork
    {
        builder.Services.TryAddSingleton<WorkCommittedInterceptor>();
        builder.Services.Configure<WorkQueueOptions>(name, builder.Configuration.GetSection($"Work:{name}"));
        builder.Services.AddSingleton(new WorkQueue<T>(name));
        builder.Services.AddSingleton<WorkSignal<T>>();
        builder.Services.AddSingleton<IWorkSignal>(sp => sp.GetRequiredService<WorkSignal<T>>());
        builder.Services.AddSingleton<WorkRunner<T>>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkRunner<T>>());
        builder.Services.AddHealthChecks().AddCheck<DeadWorkHealthCheck<T>>($"work:{name}", tags: ["ready"]);
        return builder;
    }
}
