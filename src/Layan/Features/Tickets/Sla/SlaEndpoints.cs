using Layan.Infrastructure.Web;
using Microsoft.Extensions.Localization;

namespace Layan.Features.Tickets.Sla;

/// <summary><c>POST /api/v1/sla/preview</c> (TKT-6, CARE-11): the due instant of a target from a start, for any signed-in user.</summary>
internal static class SlaEndpoints
{
    public static WebApplication MapSla(this WebApplication app)
    {
        app.MapApiGroup("sla", "SLA").RequireAuthorization()
            .MapPost("/preview", Preview)
            .WithSummary("`{calendar: {timeZone, hours: [{day, open, close}], holidays}, start, target: {amount, unit}, pauses: [{from, to}]}` → `{due}`; a null calendar is 24x7.");
        return app;
    }

    private static IResult Preview(SlaPreviewRequest? body, IStringLocalizer<TicketsResource> strings, HttpContext http)
    {
        var result = SlaPreview.Evaluate(body);
        return result.Succeeded ? TypedResults.Ok(result.Value) : result.Errors.ToProblem(StatusCodes.Status400BadRequest, strings, http);
    }
}
