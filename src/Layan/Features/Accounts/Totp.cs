using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Layan.Features.Accounts;

/// <summary>
/// RFC 6238 time-based codes (HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps make
/// them, over the key ASP.NET Core Identity generates and stores. Layan checks them itself because
/// LOG-10 needs the matched time step: a step used once is refused afterwards.
/// </summary>
internal static class Totp
{
    public const int StepSeconds = 30;

    public static long StepAt(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / StepSeconds;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350",
        Justification = "RFC 6238 codes for authenticator apps are HMAC-SHA1; as a MAC it is not the weak use CA5350 means.")]
    public static string Code(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(key, counter);
        var offset = hash[^1] & 0x0F;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7FFFFFFF) % 1_000_000;
        return binary.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The step <paramref name="code"/> belongs to (one step either side of now, for clock drift), never one at or before <paramref name="lastUsedStep"/>.</summary>
    public static long? Match(byte[] key, string? code, DateTimeOffset now, long? lastUsedStep)
    {
        var given = code?.Replace(" ", "", StringComparison.Ordinal);
        if (given is not { Length: 6 } || !given.All(char.IsAsciiDigit))
        {
            return null;
        }
        var current = StepAt(now);
        for (var step = current - 1; step <= current + 1; step++)
        {
            if (step > (lastUsedStep ?? long.MinValue) &&
                CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(key, step)), System.Text.Encoding.ASCII.GetBytes(given)))
            {
                return step;
            }
        }
        return null;
    }

    /// <summary>RFC 4648 base32 (the form Identity stores the key in and apps scan).</summary>
    public static byte[] FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = text.Trim().TrimEnd('=').Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        var bytes = new List<byte>(clean.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            var value = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException("Not base32.");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }
}
