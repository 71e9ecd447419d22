using Layan.Infrastructure.Db;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Sms;
using Layan.Infrastructure.Work;
using Layan.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Infrastructure;

// Covers the embedded SMS default (and its listing in the developer mailbox at /dev/mail): one file per message under <DataDirectory>/sms/, named by the
// outbox id, so a redelivery overwrites instead of duplicating.
public sealed class SmsSinkTests
{
    [Fact]
    public async Task A_queued_SMS_is_written_to_the_sms_folder_once_named_by_its_idempotency_key()
    {
        await using var app = await LayanApp.OnFreshSqliteAsync();
        OutboxMessage queued;
        await using (var scope = app.Scope())
        {
            queued = scope.ServiceProvider.GetRequiredService<Outbox>().Enqueue(SmsDeliveryHandler.KindName, new SmsMessage("+6281234567890", "Kode Anda: Ab3dEf7h"));
            await scope.ServiceProvider.GetRequiredService<LayanDbContext>().SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await app.WaitForStateAsync<OutboxMessage>(queued.Id, WorkState.Completed);

        var file = Directory.GetFiles(Path.Combine(app.Database.DataDirectory, "sms")).ShouldHaveSingleItem();
        Path.GetFileName(file).ShouldBe($"{queued.Id:N}.txt");
        var text = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
        text.ShouldStartWith("To: +6281234567890\n");
        text.ShouldContain("Kode Anda: Ab3dEf7h");
        using var client = app.Browser("id");
        var mailbox = await client.GetStringAsync("/dev/mail", TestContext.Current.CancellationToken);
        mailbox.ShouldContain("Pesan teks (SMS)");
        mailbox.ShouldContain("<td data-testid=\"text-body\">Kode Anda: Ab3dEf7h</td>", customMessage: "the developer mailbox lists texts too");
    }
}
