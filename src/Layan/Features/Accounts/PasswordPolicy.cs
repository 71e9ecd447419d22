using System.Collections.Frozen;
using Microsoft.AspNetCore.Identity;

namespace Layan.Features.Accounts;

/// <summary>What the strength meter shows: a 0–4 score and the reasons a password is refused.</summary>
internal sealed record PasswordVerdict(int Score, IReadOnlyList<string> Problems)
{
    public bool Acceptable => Problems.Count == 0;
}

/// <summary>
/// ACC-3 (NIST 800-63B, ASVS): 12–128 characters; not a common or breached password; not
/// containing the email's local part or the person's name; a zxcvbn score of at least 3. No
/// composition rules: mixing kinds of characters raises the score instead. Pure: no I/O after
/// the lists are loaded.
/// </summary>
internal sealed class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 128;
    public const int MinScore = 3;

    public const string TooShort = "password_too_short";
    public const string TooLong = "password_too_long";
    public const string Common = "password_common";
    public const string Personal = "password_contains_personal";
    public const string TooWeak = "password_too_weak";

    private readonly FrozenSet<string> _common;

    public PasswordPolicy(IEnumerable<string> commonPasswords) =>
        _common = commonPasswords.Select(p => p.Trim().ToLowerInvariant()).Where(p => p.Length > 0).ToFrozenSet();

    /// <summary>How many passwords the shipped list holds.</summary>
    public int CommonCount => _common.Count;

    /// <summary>The policy over zxcvbn's own list of common passwords, shipped inside the zxcvbn-core package.</summary>
    public static PasswordPolicy Shipped { get; } = new(LoadShippedList());

    public PasswordVerdict Evaluate(string? password, string? email, string? fullName)
    {
        password ??= "";
        var problems = new List<string>();
        if (password.Length < MinLength)
        {
            problems.Add(TooShort);
        }
        if (password.Length > MaxLength)
        {
            return new PasswordVerdict(0, [TooLong]);
        }
        var lowered = password.ToLowerInvariant();
        if (_common.Contains(lowered))
        {
            problems.Add(Common);
        }
        var personal = PersonalWords(email, fullName).ToList();
        if (personal.Any(word => lowered.Contains(word, StringComparison.Ordinal)))
        {
            problems.Add(Personal);
        }
        var score = password.Length == 0 ? 0 : Zxcvbn.Zxcvbn.MatchPassword(password, personal).Score;
        if (score < MinScore && problems.Count == 0)
        {
            problems.Add(TooWeak);
        }
        return new PasswordVerdict(score, problems);
    }

    // The email's local part and each part of the name, when long enough to mean something.
    private static IEnumerable<string> PersonalWords(string? email, string? fullName)
    {
        var local = email?.Split('@')[0].ToLowerInvariant();
        if (local is { Length: >= 3 })
        {
            yield return local;
        }
        foreach (var part in (fullName ?? "").ToLowerInvariant().Split([' ', '-', '.', '\''], StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Length >= 3)
            {
                yield return part;
            }
        }
    }

    private static List<string> LoadShippedList()
    {
        var assembly = typeof(Zxcvbn.Zxcvbn).Assembly;
        using var stream = assembly.GetManifestResourceStream("zxcvbn-core.Dictionaries.passwords.lst")
            ?? throw new InvalidOperationException("zxcvbn-core no longer ships its password list.");
        using var reader = new StreamReader(stream);
        var list = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            list.Add(line);
        }
        return list;
    }
}

/// <summary>Makes Identity (registration, password change, reset) apply the same policy.</summary>
internal sealed class PolicyPasswordValidator : IPasswordValidator<User>
{
    public Task<IdentityResult> ValidateAsync(UserManager<User> manager, User user, string? password)
    {
        var verdict = PasswordPolicy.Shipped.Evaluate(password, user.Email, user.FullName);
        return Task.FromResult(verdict.Acceptable
            ? IdentityResult.Success
            : IdentityResult.Failed([.. verdict.Problems.Select(p => new IdentityError { Code = p, Description = p })]));
    }
}
