namespace Layan.Infrastructure.Email;

internal enum EmailMode
{
    /// <summary>Each message becomes an .eml file under <c>&lt;DataDirectory&gt;/mail/</c>.</summary>
    Pickup,

    /// <summary>Each message goes to an SMTP server.</summary>
    Smtp,
}

/// <summary>Section <c>Email</c>.</summary>
internal sealed class EmailOptions
{
    public const string Section = "Email";

    public EmailMode Mode { get; set; } = EmailMode.Pickup;

    public string FromAddress { get; set; } = "no-reply@layan.local";

    public string FromName { get; set; } = "Layan";

    /// <summary>Right-hand side of every Message-ID, which is <c>&lt;outbox-id@domain&gt;</c>.</summary>
    public string MessageIdDomain { get; set; } = "layan.local";

    public SmtpOptions Smtp { get; set; } = new();
}

/// <summary>Section <c>Email:Smtp</c>.</summary>
internal sealed class SmtpOptions
{
    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 587;

    /// <summary>STARTTLS after connecting (System.Net.Mail has no implicit TLS on port 465).</summary>
    public bool UseTls { get; set; } = true;

    public string? User { get; set; }

    public string? Password { get; set; }

    public int TimeoutSeconds { get; set; } = 30;
}
