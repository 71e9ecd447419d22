using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Layan.Infrastructure.Email;

/// <summary>
/// Reads a stored RFC 5322 message (the .eml files of pickup mode, a test SMTP server's maildir):
/// headers with folding and RFC 2047 encoded words, multipart bodies, base64 and
/// quoted-printable. Enough for the messages Layan itself writes; not a general MIME library.
/// </summary>
internal sealed partial class MailFile
{
    private MailFile(IReadOnlyDictionary<string, string> headers, string? textBody, string? htmlBody)
    {
        Headers = headers;
        TextBody = textBody;
        HtmlBody = htmlBody;
    }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public string? TextBody { get; }

    public string? HtmlBody { get; }

    public string Subject => Header("Subject");

    public string To => Header("To");

    public string From => Header("From");

    public string MessageId => Header("Message-ID");

    public string Language => Header("Content-Language");

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public static MailFile Parse(string raw)
    {
        var (headers, body) = SplitHeaders(raw);
        string? text = null;
        string? html = null;
        CollectBodies(headers, body, ref text, ref html);
        var decoded = headers.ToDictionary(h => h.Key, h => DecodeWords(h.Value), StringComparer.OrdinalIgnoreCase);
        return new MailFile(decoded, text, html);
    }

    private static (Dictionary<string, string> Headers, string Body) SplitHeaders(string raw)
    {
        var normalized = raw.Replace("\r\n", "\n", StringComparison.Ordinal);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (normalized.StartsWith('\n'))
        {
            return (headers, normalized[1..]); // A part with no headers (RFC 2046: plain text).
        }
        var split = normalized.IndexOf("\n\n", StringComparison.Ordinal);
        var head = split < 0 ? normalized : normalized[..split];
        var body = split < 0 ? "" : normalized[(split + 2)..];
        string? last = null;
        foreach (var line in head.Split('\n'))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && last is not null)
            {
                headers[last] += " " + line.Trim();
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            last = line[..colon].Trim();
            headers.TryAdd(last, line[(colon + 1)..].Trim());
        }
        return (headers, body);
    }

    private static void CollectBodies(Dictionary<string, string> headers, string body, ref string? text, ref string? html)
    {
        var contentType = headers.GetValueOrDefault("Content-Type", "text/plain");
        if (contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            if (Parameter(contentType, "boundary") is { } boundary)
            {
                foreach (var part in Parts(body, boundary))
                {
                    var (partHeaders, partBody) = SplitHeaders(part);
                    CollectBodies(partHeaders, partBody, ref text, ref html);
                }
            }
            return;
        }
        var charset = Parameter(contentType, "charset") ?? "utf-8";
        var decoded = DecodeTransfer(headers.GetValueOrDefault("Content-Transfer-Encoding", "7bit"), body, charset);
        if (contentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))
        {
            html ??= decoded;
        }
        else if (contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            text ??= decoded;
        }
    }

    // The parts between delimiter lines ("--boundary" at the start of a line) up to "--boundary--".
    private static IEnumerable<string> Parts(string body, string boundary)
    {
        var delimiter = "--" + boundary;
        StringBuilder? part = null;
        foreach (var line in body.Split('\n'))
        {
            var trimmed = line.TrimEnd();
            if (trimmed == delimiter || trimmed == delimiter + "--")
            {
                if (part is not null)
                {
                    yield return part.ToString();
                }
                if (trimmed != delimiter)
                {
                    yield break;
                }
                part = new StringBuilder();
                continue;
            }
            part?.Append(line).Append('\n');
        }
    }

    private static string DecodeTransfer(string encoding, string body, string charset)
    {
        var target = EncodingOrUtf8(charset.Trim('"'));
        try
        {
            var decoded = encoding.Trim().ToUpperInvariant() switch
            {
                "BASE64" => target.GetString(Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c))))),
                "QUOTED-PRINTABLE" => target.GetString(QuotedPrintable(body.Replace("=\n", "", StringComparison.Ordinal), underscoreIsSpace: false)),
                _ => body,
            };
            return decoded.TrimEnd('\n');
        }
        catch (FormatException)
        {
            return body.TrimEnd('\n'); // Not valid base64: show it as it is.
        }
    }

    private static byte[] QuotedPrintable(string value, bool underscoreIsSpace)
    {
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '=' && i + 2 < value.Length &&
                byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else if (c == '_' && underscoreIsSpace)
            {
                bytes.Add((byte)' ');
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return [.. bytes];
    }

    // Adjacent encoded words of one charset are decoded together: System.Net.Mail splits long
    // UTF-8 subjects between words, sometimes inside a character. Whitespace between two encoded
    // words is not part of the text (RFC 2047 §6.2).
    private static string DecodeWords(string value)
    {
        var result = new StringBuilder();
        var pending = new List<byte>();
        string? pendingCharset = null;
        var position = 0;
        foreach (Match word in EncodedWord().Matches(value))
        {
            var between = value[position..word.Index];
            var charset = word.Groups["charset"].Value;
            if (pendingCharset is not null && (!string.IsNullOrWhiteSpace(between) || !charset.Equals(pendingCharset, StringComparison.OrdinalIgnoreCase)))
            {
                Flush();
            }
            if (pendingCharset is null)
            {
                result.Append(between);
            }
            pendingCharset = charset;
            var payload = word.Groups["text"].Value;
            try
            {
                pending.AddRange(string.Equals(word.Groups["kind"].Value, "B", StringComparison.OrdinalIgnoreCase)
                    ? Convert.FromBase64String(payload)
                    : QuotedPrintable(payload, underscoreIsSpace: true));
            }
            catch (FormatException)
            {
                pending.AddRange(Encoding.UTF8.GetBytes(word.Value));
            }
            position = word.Index + word.Length;
        }
        Flush();
        return result.Append(value[position..]).ToString();

        void Flush()
        {
            if (pendingCharset is not null)
            {
                result.Append(EncodingOrUtf8(pendingCharset).GetString([.. pending]));
            }
            pending.Clear();
            pendingCharset = null;
        }
    }

    private static Encoding EncodingOrUtf8(string charset)
    {
        try
        {
            return Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }

    private static string? Parameter(string header, string name)
    {
        var match = Regex.Match(header, name + "\\s*=\\s*\"?([^\";]+)\"?", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"=\?(?<charset>[^?]+)\?(?<kind>[BbQq])\?(?<text>[^?]*)\?=", RegexOptions.None, 1000)]
    private static partial Regex EncodedWord();
}
