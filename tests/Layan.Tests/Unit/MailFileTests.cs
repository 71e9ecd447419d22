using Layan.Infrastructure.Email;
using Shouldly;

namespace Layan.Tests.Unit;

// Covers the stored-message reader behind the developer mailbox and the SMTP tests.
public sealed class MailFileTests
{
    [Fact]
    public void Encoded_word_headers_and_folded_lines_are_decoded()
    {
        var mail = MailFile.Parse(
            "Subject: =?utf-8?B?TWVuc2FqZSBkZSBwcnVlYmE=?=\r\n =?utf-8?Q?_de_Layan_=C3=B1?=\r\nTo: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHola");

        mail.Subject.ShouldBe("Mensaje de prueba de Layan ñ");
        mail.To.ShouldBe("a@example.com");
        mail.TextBody.ShouldBe("Hola");
    }

    [Fact]
    public void Multipart_bodies_in_base64_and_quoted_printable_are_decoded()
    {
        const string raw = """
            Subject: Hi
            Content-Type: multipart/alternative; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            Env=C3=ADo de correo que contin=
            =C3=BAa
            --b1
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: base64

            PHA+SGFsbyE8L3A+
            --b1--
            """;

        var mail = MailFile.Parse(raw);

        mail.TextBody.ShouldBe("Envío de correo que continúa");
        mail.HtmlBody.ShouldBe("<p>Halo!</p>");
    }

    [Fact]
    public void A_message_without_a_body_has_none()
    {
        var mail = MailFile.Parse("Subject: only headers");

        mail.Subject.ShouldBe("only headers");
        mail.TextBody.ShouldBe("");
        mail.HtmlBody.ShouldBeNull();
        mail.MessageId.ShouldBe("");
    }
}
