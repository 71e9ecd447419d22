using Layan.Features.Accounts;
using Layan.Features.Onboarding;
using Layan.Infrastructure;
using Layan.Tests.Support;
using Shouldly;

namespace Layan.Tests.Web;

// Covers the "documented, stable list" of error codes of each feature (accounts, onboarding): every
// code the code base can answer with is in docs/api.md with the status the API really answers,
// and has a message in every language.
public sealed class ErrorCodeDocumentationTests
{
    private sealed record Feature(IReadOnlyList<string> Codes, Func<Failure, int> StatusOf, string Resource, Type[] Declaring);

    private static readonly Dictionary<string, Feature> Features = new()
    {
        ["accounts"] = new(AccountErrors.All, AccountErrors.StatusOf, Path.Combine("Accounts", "AccountsResource"), [typeof(AccountErrors), typeof(PasswordPolicy)]),
        ["onboarding"] = new(OnboardingErrors.All, OnboardingErrors.StatusOf, Path.Combine("Onboarding", "OnboardingResource"), [typeof(OnboardingErrors)]),
        ["workspaces"] = new(
            Layan.Features.Workspaces.WorkspaceEndpoints.Codes, Layan.Features.Workspaces.WorkspaceEndpoints.StatusOf, Path.Combine("Onboarding", "OnboardingResource"),
            [typeof(Layan.Features.Workspaces.TeamErrors), typeof(Layan.Features.Workspaces.DepartmentErrors), typeof(Layan.Features.Workspaces.WorkspaceErrors),
                typeof(Layan.Features.Workspaces.PlanErrors), typeof(Layan.Features.Workspaces.CatalogErrors), typeof(Layan.Features.Workspaces.SettingsErrors)]),
        ["inbox"] = new(
            Layan.Features.Inbox.InboxErrors.All, Layan.Features.Inbox.InboxEndpoints.StatusOf, Path.Combine("Inbox", "InboxResource"), [typeof(Layan.Features.Inbox.InboxErrors)]),
        ["sla"] = new(
            Layan.Features.Tickets.Sla.SlaErrors.All, _ => 400, Path.Combine("Tickets", "TicketsResource"), [typeof(Layan.Features.Tickets.Sla.SlaErrors)]),
        ["tickets"] = new(
            [.. Layan.Features.Tickets.TicketErrors.All, .. Layan.Features.Tickets.Sla.SlaSetupErrors.All, .. Layan.Features.Tickets.Rules.RuleErrors.All], Layan.Features.Tickets.TicketEndpoints.StatusOf,
            Path.Combine("Tickets", "TicketsResource"), [typeof(Layan.Features.Tickets.TicketErrors), typeof(Layan.Features.Tickets.Sla.SlaSetupErrors), typeof(Layan.Features.Tickets.Rules.RuleErrors)]),
        ["channels"] = new(
            Layan.Features.Channels.ChannelErrors.All, Layan.Features.Channels.ChannelEndpoints.StatusOf, Path.Combine("Channels", "ChannelsResource"), [typeof(Layan.Features.Channels.ChannelErrors)]),
    };

    public static TheoryData<string> FeatureNames => [.. Features.Keys];

    public static TheoryData<string, string> FeatureLanguages =>
        [.. Features.Keys.SelectMany(f => Languages.Select(l => (f, l)))];

    private static readonly string[] Languages = ["", ".id", ".es"];

    private static readonly string[] Limits = [AccountErrors.ResendTooSoon, AccountErrors.ResendLimitReached];

    [Theory]
    [MemberData(nameof(FeatureNames))]
    public void Every_error_code_is_documented_with_the_status_the_API_answers_with(string feature)
    {
        var rows = File.ReadAllLines(Path.Combine(Repo.Root, "docs", "api.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .ToDictionary(cells => cells[1].Trim('`'), cells => cells[2]);
        var features = Features[feature];

        features.Codes.Where(code => !rows.ContainsKey(code)).ShouldBeEmpty("undocumented codes");
        foreach (var code in features.Codes)
        {
            var failure = new Failure(code, RetryAfter: Limits.Contains(code) ? TimeSpan.FromSeconds(1) : null);
            rows[code].ShouldBe(features.StatusOf(failure).ToString(System.Globalization.CultureInfo.InvariantCulture), code);
        }
    }

    [Theory]
    [MemberData(nameof(FeatureLanguages))]
    public void Every_error_code_has_a_message_in_every_language(string feature, string language)
    {
        var resource = File.ReadAllText(Path.Combine(Repo.Source, "Features", Features[feature].Resource + language + ".resx"));

        Features[feature].Codes.Where(code => !resource.Contains($"name=\"Error.{code}\"", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(FeatureNames))]
    public void The_list_of_codes_holds_every_code_the_feature_declares(string feature)
    {
        var declared = Features[feature].Declaring
            .SelectMany(t => t.GetFields())
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

        declared.Except(Features[feature].Codes).ShouldBeEmpty();
    }
}
