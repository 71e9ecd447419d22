using System.Net;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Work;
using Layan.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Shouldly;

namespace Layan.Tests.Web;

// Covers the embedded email default (Email:Mode=Pickup): .eml files under <DataDirectory>/mail and
// the developer mailbox at /dev/mail, which exists only in Development.
public sealed class DevMailTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_test_email_sent_from_the_mailbox_page_is_written_as_eml_and_shown_there_in_its_language()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser("es");

        var sent = await client.SubmitFormAsync("/dev/mail", "dev-mail-test", ("Test.Address", "rosa@example.es"), ("Test.Language", "es"));

        (await sent.Content.ReadAsStringAsync(Ct)).ShouldContain("Se puso en cola un correo de prueba para rosa@example.es.");
        await using (var db = app.Database.CreateContext())
        {
            var queued = await db.Outbox.SingleAsync(Ct);
            await app.WaitForStateAsync<OutboxMessage>(queued.Id, WorkState.Completed);
        }
        var file = Directory.GetFiles(Path.Combine(app.Database.DataDirectory, "mail"), "*.eml").ShouldHaveSingleItem();
        var list = await client.GetStringAsync("/dev/mail", Ct);
        list.ShouldContain("rosa@example.es");
        list.ShouldContain("Mensaje de prueba de Layan");
        var message = await client.GetStringAsync($"/dev/mail/{Path.GetFileNameWithoutExtension(file)}", Ct);
        message.ShouldContain("<h1 data-testid=\"mail-subject\">Mensaje de prueba de Layan</h1>");
        message.ShouldContain("<iframe class=\"mail-frame\" sandbox srcdoc=", customMessage: "the message's HTML runs fully sandboxed");
        message.ShouldContain("Este es un mensaje de prueba de Layan, enviado a rosa@example.es.");
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("")]
    [InlineData("eve@example.com\r\nBcc: all@example.com")]
    [InlineData("<script>alert(1)</script>@example.com")]
    public async Task A_bad_address_gets_a_clear_message_and_queues_nothing(string address)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser("id");

        var response = await client.SubmitFormAsync("/dev/mail", "dev-mail-test", ("Test.Address", address), ("Test.Language", "id"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync(Ct);
        html.ShouldContain("Masukkan alamat email yang valid.");
        html.ShouldNotContain("<script>alert(1)</script>");
        await using var db = app.Database.CreateContext();
        (await db.Outbox.CountAsync(Ct)).ShouldBe(0);
    }

    [Theory]
    [InlineData("/dev/mail/..%2F..%2Flayan")]
    [InlineData("/dev/mail/00000000-0000-0000-0000-000000000000")]
    public async Task An_unknown_or_crafted_message_id_is_not_found(string path)
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        using var client = app.Browser();

        (await client.GetAsync(path, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Outside_Development_the_mailbox_does_not_exist()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync(environment: "Production");
        using var client = app.Browser();

        var response = await client.GetAsync("/dev/mail", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("<h1>Page not found</h1>");
    }
}
