using System.Net;
using Layan.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Web;

// Covers X-5: failures leave as ProblemDetails under /api and as a friendly, localized page
// elsewhere; never a stack trace or an exception's text, even in Development.
public sealed class ErrorHandlingTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private LayanApp _app = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateSqliteAsync();
        _app = new LayanApp(_database, services: s => s.AddSingleton<IStartupFilter, FailingEndpoints>());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task An_unknown_API_route_is_a_404_problem()
    {
        using var client = _app.Browser();
        var problem = await (await client.GetAsync("/api/v1/nothing-here", Ct)).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        problem.GetProperty("traceId").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_failing_API_call_is_a_500_problem_without_the_exception_s_text()
    {
        using var client = _app.Browser();
        var response = await client.GetAsync("/api/v1/test/boom", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.InternalServerError);
        problem.GetProperty("title").GetString().ShouldBe("Something went wrong on our side.");
        body.ShouldNotContain("hunter2");
        body.ShouldNotContain("InvalidOperationException");
        body.ShouldNotContain(" at ");
    }

    [Theory]
    [InlineData("GET", "text/html")]
    [InlineData("GET", "application/xml")]
    [InlineData("GET", "*/*")]
    public async Task An_API_failure_is_a_problem_whatever_the_client_accepts(string method, string accept)
    {
        using var client = _app.Browser();
        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/v1/test/boom");
        request.Headers.Accept.ParseAdd(accept);

        var problem = await (await client.SendAsync(request, Ct)).ShouldBeProblemAsync(HttpStatusCode.InternalServerError);

        problem.GetProperty("traceId").GetString().ShouldNotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("en", "Something went wrong")]
    [InlineData("id", "Terjadi kesalahan")]
    [InlineData("es", "Algo sali&#xF3; mal")]
    public async Task A_failing_page_shows_the_friendly_error_page_in_the_reader_s_language(string language, string title)
    {
        using var client = _app.Browser(language);
        var response = await client.GetAsync("/test/boom", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        html.ShouldContain($"<h1>{title}</h1>");
        html.ShouldNotContain("hunter2");
        html.ShouldNotContain("InvalidOperationException");
    }

    [Fact]
    public async Task An_unknown_page_is_a_localized_404_page()
    {
        using var client = _app.Browser("es");
        var response = await client.GetAsync("/nowhere/at/all", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("<h1>P&#xE1;gina no encontrada</h1>");
    }

    [Fact]
    public async Task A_wrong_method_on_the_API_is_a_405_problem()
    {
        using var client = _app.Browser();
        await (await client.DeleteAsync("/api/v1/languages", Ct)).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed);
    }
}
