using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Layan.Infrastructure.Web;

/// <summary>
/// Turns expected failures into problem details: the first error's <c>code</c>, its message in the
/// request's language as <c>title</c>, every field's codes under <c>errors</c>, and
/// <c>retryAfter</c> (also as the Retry-After header) for limits.
/// </summary>
internal static class ErrorProblems
{
    /// <summary>
    /// Resources whose codes can surface through another feature's endpoints (a channel's refusal
    /// answering an inbox reply): looked up when the endpoint's own resource has no message.
    /// </summary>
    public static System.Collections.Concurrent.ConcurrentDictionary<Type, bool> SharedCodeResources { get; } = new();

    public static ProblemHttpResult ToProblem(this IReadOnlyList<Failure> errors, int status, IStringLocalizer strings, HttpContext http)
    {
        var first = errors[0];
        var key = $"Error.{first.Code}";
        var title = strings[key];
        if (title.ResourceNotFound)
        {
            var factory = http.RequestServices.GetRequiredService<IStringLocalizerFactory>();
            title = SharedCodeResources.Keys.Select(type => factory.Create(type)[key]).FirstOrDefault(t => !t.ResourceNotFound) ?? title;
        }
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Extensions = { ["code"] = first.Code, ["traceId"] = http.TraceIdentifier },
        };
        var fields = errors.Where(e => e.Field is not null).GroupBy(e => e.Field!).ToDictionary(g => g.Key, g => g.Select(e => e.Code).ToArray());
        if (fields.Count > 0)
        {
            problem.Extensions["errors"] = fields;
        }
        if (first.RetryAfter is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            problem.Extensions["retryAfter"] = seconds;
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        return TypedResults.Problem(problem);
    }
}
