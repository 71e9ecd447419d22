using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Layan.Infrastructure.Web;

/// <summary>Section <c>RateLimits</c>: permits per client IP per minute.</summary>
internal sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Every request that is not a static asset or health probe.</summary>
    public int GlobalPerMinute { get; set; } = 600;

    /// <summary>Policy <see cref="RateLimits.Auth"/>: log in, register, verify, reset.</summary>
    public int AuthPerMinute { get; set; } = 20;

    /// <summary>Policy <see cref="RateLimits.PublicForm"/>: anonymous forms (problem reports, surveys, widget).</summary>
    public int PublicFormPerMinute { get; set; } = 30;

    /// <summary>Policy <see cref="RateLimits.Widget"/>: the web chat widget's calls (a chat is many small requests).</summary>
    public int WidgetPerMinute { get; set; } = 240;

    /// <summary>Provider webhooks, per channel (providers send bursts from few addresses; applied by the channels' webhook limiter).</summary>
    public int WebhookPerMinute { get; set; } = 300_000;
}

/// <summary>The built-in limiter: a global per-IP budget plus named policies for sensitive routes.</summary>
internal static class RateLimits
{
    public const string Auth = "auth";
    public const string PublicForm = "public-form";
    public const string Widget = "widget";

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section));
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsExempt(context)
                    ? RateLimitPartition.GetNoLimiter("exempt")
                    : PerMinute("global:" + ClientKey(context), Settings(context).GlobalPerMinute));
            // Counts submissions, not page loads: the pages that carry these forms use it too.
            options.AddPolicy(Auth, context => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                ? RateLimitPartition.GetNoLimiter("page-load")
                : PerMinute(ClientKey(context), Settings(context).AuthPerMinute));
            options.AddPolicy(PublicForm, context => PerMinute(ClientKey(context), Settings(context).PublicFormPerMinute));
            options.AddPolicy(Widget, context => PerMinute("widget:" + ClientKey(context), Settings(context).WidgetPerMinute));
            options.OnRejected = WriteRejectionAsync;
        });
        return builder;
    }

    public static WebApplication UseRateLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    private static RateLimitPartition<string> PerMinute(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    private static RateLimitOptions Settings(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;

    private static string ClientKey(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static bool IsExempt(HttpContext context)
    {
        var path = context.Request.Path;
        return path.StartsWithSegments("/health") || path.StartsWithSegments("/_framework") ||
               path.StartsWithSegments("/_content") || path.StartsWithSegments("/css") ||
               path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/js") || path.StartsWithSegments("/sounds") ||
               // Webhooks have their own budget per channel (policy Webhook), not the per-address one.
               path.StartsWithSegments("/hooks") ||
               path.Equals("/widget.js", StringComparison.Ordinal);
    }

    private static async ValueTask WriteRejectionAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 60;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests. Please wait and try again.",
            Extensions = { ["code"] = "rate_limited", ["retryAfter"] = retryAfter },
        };
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
