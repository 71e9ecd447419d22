using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Tickets;

// TKT-6, CARE-11: the SLA preview over HTTP, for any signed-in user; every wrong field named,
// worded in the caller's language.
public sealed class SlaPreviewEndpointTests
{
    private static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

    private static readonly string[] Holidays = ["2025-12-25"];

    private static readonly string[] BadHolidays = ["2025-13-01"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_issue_s_example_is_due_on_Tuesday_and_bad_fields_are_named()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var anonymous = app.Browser();
        using var ana = app.Browser("es");
        await app.RegisterVerifiedAsync(ana, "ana@example.com", language: "es");
        var weekdays = Weekdays.Select(day => new { day, open = "09:00", close = "17:00" }).ToArray();
        var body = new
        {
            calendar = new { timeZone = "America/New_York", hours = weekdays, holidays = Holidays },
            start = "2025-06-07T14:00:00Z",
            target = new { amount = 2, unit = "businessDays" },
        };

        (await anonymous.PostAsJsonAsync("/api/v1/sla/preview", body, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var due = await (await ana.PostAsJsonAsync("/api/v1/sla/preview", body, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        due.GetProperty("due").GetString().ShouldBe("2025-06-10T14:00:00Z");

        var bad = await ana.PostAsJsonAsync("/api/v1/sla/preview", new
        {
            calendar = new { timeZone = "Mars/Olympus", hours = new[] { new { day = "Monday", open = "09:00", close = "12:00" }, new { day = "Monday", open = "11:00", close = "17:00" } }, holidays = BadHolidays },
            start = "yesterday",
            target = new { amount = 0, unit = "fortnights" },
        }, Ct);
        var problem = await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        errors.GetProperty("calendar.timeZone")[0].GetString().ShouldBe("time_zone_invalid");
        errors.GetProperty("calendar.hours[1]")[0].GetString().ShouldBe("hours_overlap");
        errors.GetProperty("calendar.holidays[0]")[0].GetString().ShouldBe("date_invalid");
        errors.GetProperty("start")[0].GetString().ShouldBe("instant_invalid");
        errors.GetProperty("target.amount")[0].GetString().ShouldBe("amount_invalid");
        errors.GetProperty("target.unit")[0].GetString().ShouldBe("unit_invalid");
        problem.GetProperty("title").GetString()!.ShouldContain("zona horaria");
    }
}
