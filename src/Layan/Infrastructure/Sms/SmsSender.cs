using System.Globalization;
using System.Text;
using System.Text.Json;
using Layan.Infrastructure.Localization;
using Layan.Infrastructure.Outbox;
using Layan.Infrastructure.Storage;
using Layan.Infrastructure.Work;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Infrastructure.Sms;

/// <summary>A text message as queued in the outbox.</summary>
internal sealed record SmsMessage(string To, string Text);

/// <summary>A localized text message: the resource key <c>{Name}.Sms</c> with placeholders like <c>{code}</c>, in en, id and es.</summary>
internal sealed record SmsTemplate(IStringLocalizer Strings, string Name);

/// <summary>Composes localized text messages and queues them in the caller's unit of work.</summary>
internal sealed class Texter(Outbox.Outbox outbox)
{
    public OutboxMessage Queue(SmsTemplate template, string to, string language, IReadOnlyDictionary<string, string> values)
    {
        var text = SupportedLanguages.InLanguage(language, () => template.Strings[$"{template.Name}.Sms"].Value);
        foreach (var (name, value) in values)
        {
            text = text.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return outbox.Enqueue(SmsDeliveryHandler.KindName, new SmsMessage(to, text));
    }
}

/// <summary>Hands a text message to an SMS provider. The message id is the idempotency key.</summary>
internal interface ISmsSender
{
    Task SendAsync(SmsMessage message, string messageId, CancellationToken cancellationToken);
}

/// <summary>
/// Embedded default: one file per message under <c>&lt;DataDirectory&gt;/sms/</c>, named by the
/// idempotency key, so a re-delivery overwrites instead of duplicating.
/// </summary>
internal sealed class FileSmsSender(IOptions<StorageOptions> storage, TimeProvider clock) : ISmsSender
{
    public async Task SendAsync(SmsMessage message, string messageId, CancellationToken cancellationToken)
    {
        var directory = SmsDirectory(storage.Value);
        Directory.CreateDirectory(directory);
        var content = new StringBuilder()
            .Append("To: ").Append(message.To).Append('\n')
            .Append("Date: ").Append(clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)).Append('\n')
            .Append("Id: ").Append(messageId).Append("\n\n")
            .Append(message.Text).Append('\n')
            .ToString();
        await File.WriteAllTextAsync(Path.Combine(directory, messageId + ".txt"), content, cancellationToken);
    }

    public static string SmsDirectory(StorageOptions storage) => storage.PathFor("sms");
}

internal sealed class SmsDeliveryHandler(ISmsSender sender) : IWorkHandler<OutboxMessage>
{
    public const string KindName = "sms";

    public string Kind => KindName;

    public Task HandleAsync(OutboxMessage item, CancellationToken cancellationToken)
    {
        var message = JsonSerializer.Deserialize<SmsMessage>(item.Payload, JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException("Empty SMS payload.");
        return sender.SendAsync(message, item.Id.ToString("N"), cancellationToken);
    }
}

internal static class SmsModule
{
    public static WebApplicationBuilder AddSms(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ISmsSender, FileSmsSender>();
        builder.Services.AddScoped<Texter>();
        builder.Services.AddScoped<IWorkHandler<OutboxMessage>, SmsDeliveryHandler>();
        return builder;
    }
}
