using System.Text;
using Layan.Features.Accounts;
using Shouldly;

namespace Layan.Tests.Unit;

// Covers LOG-2's authenticator codes (RFC 6238, the RFC's own SHA-1 test vectors) and LOG-10's
// rule that a used time step is refused.
public sealed class TotpTests
{
    private static readonly byte[] RfcKey = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59, "287082")]
    [InlineData(1111111109, "081804")]
    [InlineData(1111111111, "050471")]
    [InlineData(1234567890, "005924")]
    [InlineData(2000000000, "279037")]
    public void Codes_match_the_RFC_6238_test_vectors(long unixSeconds, string expected) =>
        Totp.Code(RfcKey, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds))).ShouldBe(expected);

    [Fact]
    public void A_code_is_accepted_one_step_either_side_and_never_twice()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var step = Totp.StepAt(now);

        Totp.Match(RfcKey, Totp.Code(RfcKey, step), now, null).ShouldBe(step);
        Totp.Match(RfcKey, Totp.Code(RfcKey, step - 1), now, null).ShouldBe(step - 1);
        Totp.Match(RfcKey, Totp.Code(RfcKey, step + 1), now, null).ShouldBe(step + 1);
        Totp.Match(RfcKey, Totp.Code(RfcKey, step - 2), now, null).ShouldBeNull();
        Totp.Match(RfcKey, Totp.Code(RfcKey, step), now, lastUsedStep: step).ShouldBeNull();
        Totp.Match(RfcKey, Totp.Code(RfcKey, step + 1), now, lastUsedStep: step).ShouldBe(step + 1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    [InlineData(null)]
    public void Malformed_codes_never_match(string? code) =>
        Totp.Match(RfcKey, code, DateTimeOffset.FromUnixTimeSeconds(59), null).ShouldBeNull();

    [Fact]
    public void Base32_keys_decode_as_RFC_4648_says() =>
        Encoding.ASCII.GetString(Totp.FromBase32("GEZD GNBV GY3T QOJQ")).ShouldBe("1234567890");
}
