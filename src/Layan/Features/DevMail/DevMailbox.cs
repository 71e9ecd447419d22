using System.Text.RegularExpressions;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Sms;
using Layan.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Layan.Features.DevMail;

/// <summary>One stored message as the mailbox list shows it.</summary>
internal sealed record DevMailSummary(string Id, DateTimeOffset StoredAt, string To, string Subject);

/// <summary>One text message the embedded SMS sink wrote.</summary>
internal sealed record DevText(DateTimeOffset StoredAt, string To, string Text);

/// <summary>
/// Reads the pickup directory that <c>Email:Mode=Pickup</c> writes, for the developer mailbox at
/// <c>/dev/mail</c>. On only when <c>DevMail:Enabled</c> is set, which Development does by default.
/// </summary>
internal sealed partial class DevMailbox(IOptions<StorageOptions> storage, IOptions<DevMailOptions> options)
{
    public bool Enabled => options.Value.Enabled;

    private string Directory => SmtpEmailSender.MailDirectory(storage.Value);

    /// <summary>One page of messages, newest first; only that page's files are read.</summary>
    public (IReadOnlyList<DevMailSummary> Items, int Total) List(int skip, int take)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return ([], 0);
        }
        var files = new DirectoryInfo(Directory).GetFiles("*.eml")
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var page = files.Skip(Math.Max(skip, 0)).Take(Math.Clamp(take, 1, 100))
            .Select(f =>
            {
                var mail = MailFile.Parse(File.ReadAllText(f.FullName));
                return new DevMailSummary(Path.GetFileNameWithoutExtension(f.Name), f.LastWriteTimeUtc, mail.To, mail.Subject);
            })
            .ToList();
        return (page, files.Count);
    }

    /// <summary>The newest text messages of the embedded SMS sink (<c>&lt;DataDirectory&gt;/sms/</c>).</summary>
    public IReadOnlyList<DevText> Texts(int take)
    {
        var directory = FileSmsSender.SmsDirectory(storage.Value);
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }
        return [.. new DirectoryInfo(directory).GetFiles("*.txt")
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .Take(Math.Clamp(take, 1, 100))
            .Select(f =>
            {
                var (headers, text) = File.ReadAllText(f.FullName).Split("\n\n", 2) is [var head, var body] ? (head, body.TrimEnd()) : ("", "");
                var to = headers.Split('\n').FirstOrDefault(l => l.StartsWith("To: ", StringComparison.Ordinal))?[4..] ?? "";
                return new DevText(f.LastWriteTimeUtc, to, text);
            })];
    }

    /// <summary>The message stored as <paramref name="id"/>, or null if there is none (or the id is not a plain file name).</summary>
    public MailFile? Read(string id)
    {
        if (!SafeId().IsMatch(id))
        {
            return null;
        }
        var path = Path.Combine(Directory, id + ".eml");
        return File.Exists(path) ? MailFile.Parse(File.ReadAllText(path)) : null;
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$", RegexOptions.None, 1000)]
    private static partial Regex SafeId();
}

/// <summary>Section <c>DevMail</c>.</summary>
internal sealed class DevMailOptions
{
    public bool Enabled { get; set; }
}

internal static class DevMailModule
{
    public static WebApplicationBuilder AddDevMail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DevMailOptions>()
            .Configure(o => o.Enabled = builder.Environment.IsDevelopment())
            .Bind(builder.Configuration.GetSection("DevMail"));
        builder.Services.AddSingleton<DevMailbox>();
        return builder;
    }
}
