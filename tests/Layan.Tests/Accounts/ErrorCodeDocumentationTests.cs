using Layan.Features.Accounts;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Accounts;

// Covers the accounts issue's "documented, stable list" of error codes: every code the code base
// can answer with is in docs/api.md and has a message in every language.
public sealed class ErrorCodeDocumentationTests
{
    [Fact]
    public void Every_accounts_error_code_is_documented()
    {
        var api = File.ReadAllText(Path.Combine(Repo.Root, "docs", "api.md"));

        AccountErrors.All.Where(code => !api.Contains($"| `{code}` |", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("AccountsResource.resx")]
    [InlineData("AccountsResource.id.resx")]
    [InlineData("AccountsResource.es.resx")]
    public void Every_accounts_error_code_has_a_message_in_every_language(string file)
    {
        var resource = File.ReadAllText(Path.Combine(Repo.Source, "Features", "Accounts", file));

        AccountErrors.All.Where(code => !resource.Contains($"name=\"Error.{code}\"", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public void The_list_of_codes_holds_every_code_the_accounts_code_declares()
    {
        var declared = typeof(AccountErrors).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)
            .Concat(typeof(PasswordPolicy).GetFields().Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!));

        declared.Except(AccountErrors.All).ShouldBeEmpty();
    }

    [Fact]
    public void The_documented_status_of_each_code_is_the_one_the_API_answers_with()
    {
        var rows = File.ReadAllLines(Path.Combine(Repo.Root, "docs", "api.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .ToDictionary(cells => cells[1].Trim('`'), cells => cells[2]);
        string[] limits = [AccountErrors.ResendTooSoon, AccountErrors.ResendLimitReached];

        foreach (var code in AccountErrors.All)
        {
            var failure = new Layan.Infrastructure.Failure(code, RetryAfter: limits.Contains(code) ? TimeSpan.FromSeconds(1) : null);
            rows[code].ShouldBe(AccountErrors.StatusOf(failure).ToString(System.Globalization.CultureInfo.InvariantCulture), code);
        }
    }
}
