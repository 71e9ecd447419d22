using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Layan.Infrastructure;

internal static class ClockModule
{
    /// <summary>All time comes from <see cref="TimeProvider"/>; tests replace it with a clock they move.</summary>
    public static WebApplicationBuilder AddClock(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }
}
