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
    public static ProblemHttpResult ToProblem(this IReadOnlyList<Failure> errors, int status, IStringLocalizer strings, HttpContext http)
    {
        var first = errors[0];
        var problem = new ProblemDetails
        {
            Status = status,
            Title = strings[$"Error.{first.Code}"],
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
