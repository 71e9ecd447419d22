using Layan.Features.Accounts;
using Shouldly;

namespace Layan.Tests.Unit;

// Covers ACC-4's code rules: 8 characters, unambiguous mixed-case alphabet, case-sensitive,
// 30 minutes, 5 wrong tries; only the right code learns it expired or was voided (no enumeration).
public sealed class VerificationCodeRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expires = Now.AddMinutes(30);

    [Fact]
    public void The_alphabet_has_no_look_alikes_and_both_cases()
    {
        VerificationCodeRules.Alphabet.ShouldNotContain('0');
        VerificationCodeRules.Alphabet.ShouldNotContain('O');
        VerificationCodeRules.Alphabet.ShouldNotContain('o');
        VerificationCodeRules.Alphabet.ShouldNotContain('1');
        VerificationCodeRules.Alphabet.ShouldNotContain('I');
        VerificationCodeRules.Alphabet.ShouldNotContain('l');
        VerificationCodeRules.Alphabet.ShouldNotContain('i');
        VerificationCodeRules.Alphabet.ShouldContain('A');
        VerificationCodeRules.Alphabet.ShouldContain('a');
        VerificationCodeRules.Alphabet.Distinct().Count().ShouldBe(VerificationCodeRules.Alphabet.Length);
    }

    [Fact]
    public void Codes_are_8_characters_of_the_alphabet_and_differ()
    {
        var codes = Enumerable.Range(0, 500).Select(_ => VerificationCodeRules.Generate()).ToList();

        codes.ShouldAllBe(c => c.Length == 8 && c.All(ch => VerificationCodeRules.Alphabet.Contains(ch)));
        codes.Distinct().Count().ShouldBe(500);
    }

    [Theory]
    [InlineData("AbCd2345", 0, 0, "Valid")]
    [InlineData("abcd2345", 0, 0, "Invalid")]
    [InlineData("ABCD2345", 0, 0, "Invalid")]
    [InlineData("AbCd234", 0, 0, "Invalid")]
    [InlineData("AbCd23456", 0, 0, "Invalid")]
    [InlineData("", 0, 0, "Invalid")]
    [InlineData(null, 0, 0, "Invalid")]
    [InlineData("AbCd2345", 29 * 60 + 59, 0, "Valid")]
    [InlineData("AbCd2345", 30 * 60, 0, "Expired")]
    [InlineData("AbCd2345", 0, 4, "Valid")]
    [InlineData("AbCd2345", 0, 5, "AttemptsExceeded")]
    [InlineData("wrong123", 31 * 60, 5, "Invalid")]
    [InlineData("wrong123", 0, 5, "Invalid")]
    [InlineData("wrong123", 31 * 60, 0, "Invalid")]
    public void A_code_is_checked_case_sensitively_within_its_life_and_tries(string? given, int secondsLater, int failedAttempts, string expected) =>
        VerificationCodeRules.Check("AbCd2345", given, Expires, failedAttempts, 5, Now.AddSeconds(secondsLater)).ToString().ShouldBe(expected);
}
