using System.Net;
using System.Text.Json;
using Layan.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Web;

// Covers the foundation's platform endpoints: health (live/ready), the OpenAPI document of every
// /api/v1 endpoint, and the built-in rate limiter with ProblemDetails on rejection.
public sealed class PlatformEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Live_and_ready_are_healthy_on_a_migrated_database()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        (await client.GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await client.GetAsync("/health/ready", Ct);
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct));
        body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task Ready_is_unhealthy_while_migrations_are_pending_and_live_still_answers()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });
        using var client = app.Browser();

        (await client.GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await client.GetAsync("/health/ready", Ct);
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync(Ct)).ShouldContain("migration(s) pending");
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_api_v1_endpoint_and_nothing_else()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", Ct));
        var documented = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!.Trim('/'), @":[a-z]+\}", "}"))
            .Where(r => r.StartsWith("/api/v1/", StringComparison.Ordinal))
            .ToHashSet();

        routes.ShouldNotBeEmpty();
        routes.ShouldBeSubsetOf(documented);
        documented.ShouldAllBe(p => p.StartsWith("/api/v1/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Past_the_limit_a_client_gets_429_with_Retry_After_while_health_stays_reachable()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(new Dictionary<string, string?> { ["RateLimits:GlobalPerMinute"] = "3" });
        using var client = app.Browser();

        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("/api/v1/languages", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var limited = await client.GetAsync("/api/v1/languages", Ct);

        var problem = await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        problem.GetProperty("code").GetString().ShouldBe("rate_limited");
        limited.Headers.RetryAfter.ShouldNotBeNull();
        (await client.GetAsync("/health/live", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
