using System.Buffers.Text;
using System.Security.Cryptography;

namespace Layan.Features.Accounts;

/// <summary>Random tokens for links and cookies, and the one-way form secrets are kept in.</summary>
internal static class Secrets
{
    /// <summary><paramref name="bytes"/> random bytes, base64url (safe in URLs and cookies).</summary>
    public static string NewToken(int bytes = 32) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>SHA-256 of the text, upper-case hex: how reset links, recovery codes and device ids are stored.</summary>
    public static string Hash(string text) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
