using Layan.Features.Accounts;
using Shouldly;

namespace Layan.Tests.Unit;

// Covers ACC-3: 12–128 characters, the shipped list of common passwords, no email local part or
// name, a zxcvbn score of at least 3, no composition rules.
public sealed class PasswordPolicyTests
{
    private static readonly PasswordPolicy Policy = PasswordPolicy.Shipped;

    [Fact]
    public void The_shipped_list_holds_at_least_10000_common_passwords() => Policy.CommonCount.ShouldBeGreaterThanOrEqualTo(10_000);

    [Theory]
    [InlineData("short", PasswordPolicy.TooShort)]
    [InlineData("qwerty123456", PasswordPolicy.Common)]
    [InlineData("1qaz2wsx3edc", PasswordPolicy.Common)]
    [InlineData("QWERTY123456", PasswordPolicy.Common)]
    [InlineData("ana.lima-rocks-2026", PasswordPolicy.Personal)]
    [InlineData("my name is Santoso!!", PasswordPolicy.Personal)]
    [InlineData("aaaaaaaaaaaaaaaa", PasswordPolicy.TooWeak)]
    [InlineData("abcdefghijklmnop", PasswordPolicy.TooWeak)]
    public void A_weak_password_is_refused_with_its_reason(string password, string reason)
    {
        var verdict = Policy.Evaluate(password, "ana.lima@example.com", "Budi Santoso");

        verdict.Acceptable.ShouldBeFalse();
        verdict.Problems.ShouldContain(reason);
    }

    [Fact]
    public void More_than_128_characters_is_refused() =>
        Policy.Evaluate(new string('x', 129) + "Q7!", null, null).Problems.ShouldBe([PasswordPolicy.TooLong]);

    [Theory]
    [InlineData("violet tandem harbor 42")]
    [InlineData("correct horse battery staple")]
    [InlineData("Tr4in-Gl4ss-Pl0w")]
    [InlineData("kopi susu di pagi hari")]
    public void A_strong_password_passes_without_composition_rules(string password)
    {
        var verdict = Policy.Evaluate(password, "ana.lima@example.com", "Budi Santoso");

        verdict.Problems.ShouldBeEmpty();
        verdict.Score.ShouldBeGreaterThanOrEqualTo(PasswordPolicy.MinScore);
    }

    [Theory]
    [InlineData("zqmkpw", "Zq8!mK")]
    [InlineData("qzmkpwvx", "Qz8!mKp#")]
    public void Mixing_kinds_of_characters_raises_the_score(string plain, string mixed) =>
        Policy.Evaluate(mixed, null, null).Score.ShouldBeGreaterThan(Policy.Evaluate(plain, null, null).Score);
}
