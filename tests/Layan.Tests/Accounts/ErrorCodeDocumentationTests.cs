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
}
