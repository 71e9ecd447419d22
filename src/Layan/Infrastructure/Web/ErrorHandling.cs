using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Layan.Infrastructure.Web;

/// <summary>
/// One place where failures leave the app: ProblemDetails under <c>/api</c> and <c>/hooks</c>, the friendly error
/// and not-found pages elsewhere. Never a stack trace, whatever the environment.
/// </summary>
internal static partial class ErrorHandling
{
    public static WebApplicationBuilder AddErrorHandling(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
            // The exception's text stays in the log.
            context.ProblemDetails.Detail = context.Exception is null ? context.ProblemDetails.Detail : null;
        });
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        return builder;
    }

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/error",
            CreateScopeForErrors = true,
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseWhen(IsApi, api => api.UseStatusCodePages());
        app.UseWhen(c => !IsApi(c), pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        // Routing after the handlers above, so their re-executed requests are routed to the pages.
        app.UseRouting();
        return app;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);

    public static bool IsApi(HttpContext context) => IsApi(context.Request.Path);

    // Provider webhooks (/hooks) are machine endpoints too: ProblemDetails, never a page.
    private static bool IsApi(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/hooks");

    /// <summary>Answers API failures with ProblemDetails; page failures fall through to /error.</summary>
    private sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            // The middleware has already pointed the request at /error; the feature keeps where it failed.
            var failedPath = httpContext.Features.Get<IExceptionHandlerFeature>()?.Path ?? httpContext.Request.Path;
            if (!IsApi(new PathString(failedPath)))
            {
                // The error page is re-executed as a GET: a failed form post (an expired
                // antiforgery token, say) must not be replayed into it.
                httpContext.Request.Method = HttpMethods.Get;
                return false;
            }
            var (status, title) = exception switch
            {
                BadHttpRequestException bad => (bad.StatusCode, "The request could not be read."),
                _ => (StatusCodes.Status500InternalServerError, "Something went wrong on our side."),
            };
            if (status >= 500)
            {
                LogUnhandled(logger, exception, failedPath);
            }
            // Written whatever the client accepts: an API failure must never fall through to the HTML page.
            var problem = new ProblemDetails { Status = status, Title = title, Extensions = { ["traceId"] = httpContext.TraceIdentifier } };
            await TypedResults.Problem(problem).ExecuteAsync(httpContext);
            return true;
        }
    }
}
