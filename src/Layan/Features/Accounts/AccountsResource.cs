namespace Layan.Features.Accounts;

/// <summary>Marker for the accounts feature's strings: pages, error messages, emails (AccountsResource.*.resx).</summary>
internal sealed class AccountsResource;
