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
    public void A_character_split_across_two_encoded_words_is_joined()
    {
        // "ñ" is C3 B1 in UTF-8; the first word ends after C3 and the second starts with B1.
        var mail = MailFile.Parse("Subject: =?utf-8?B?ZXNwYcM=?= =?utf-8?B?sW9s?=\n\n");

        mail.Subject.ShouldBe("español");
    }

    [Fact]
    public void A_part_without_headers_is_plain_text_and_a_delimiter_mid_line_is_text()
    {
        const string raw = "Content-Type: multipart/mixed; boundary=b1\n\n--b1\n\nplain words --b1 inside\n--b1--\n";

        MailFile.Parse(raw).TextBody.ShouldBe("plain words --b1 inside");
    }

    [Fact]
    public void An_unknown_charset_or_broken_base64_is_shown_rather_than_failing()
    {
        var mail = MailFile.Parse("Subject: =?x-unknown?Q?caf=C3=A9?=\nContent-Type: text/plain; charset=x-unknown\nContent-Transfer-Encoding: base64\n\n%%% not base64 %%%");

        mail.Subject.ShouldBe("café");
        mail.TextBody.ShouldBe("%%% not base64 %%%");
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
