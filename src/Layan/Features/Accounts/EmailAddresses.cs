using System.Text.RegularExpressions;

namespace Layan.Features.Accounts;

/// <summary>
/// What Layan accepts as an email address: plain ASCII (so Unicode look-alikes such as a Cyrillic
/// "а" cannot imitate another account), one @, a dotted domain, at most 254 characters.
/// </summary>
internal static partial class EmailAddresses
{
    public static bool IsValid(string? email) =>
        email is { Length: > 0 and <= 254 } && Shape().IsMatch(email);

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();

    [GeneratedRegex(@"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$", RegexOptions.None, 1000)]
    private static partial Regex Shape();
}
