using System.Security.Cryptography;
using Layan.Infrastructure;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Onboarding;

/// <summary>What a person types into the card form. It goes to the provider and is never stored.</summary>
internal sealed record CardDetails(string? Number, int ExpiryMonth, int ExpiryYear, string? Cvc, string? HolderName);

/// <summary>What Layan keeps of a card: the provider's token and what people recognize it by (ONB-7).</summary>
internal sealed record CardToken(string Token, string Brand, string Last4, int ExpiryMonth, int ExpiryYear);

/// <summary>
/// ONB-7: whoever holds card data. Layan hands the card over and keeps only the token and last
/// four digits. A real provider (Stripe, Xendit, …) is another implementation behind this.
/// </summary>
internal interface IPaymentProvider
{
    string Name { get; }

    Task<Result<CardToken>> TokenizeAsync(CardDetails card, CancellationToken cancellationToken);

    /// <summary>Charges the card behind <paramref name="token"/>; the idempotency key makes a retried charge happen once. The result is the charge's id.</summary>
    Task<Result<string>> ChargeAsync(string token, decimal amount, string currency, string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>
/// The embedded default: no network, documented test cards. <c>4242 4242 4242 4242</c> is
/// accepted, <c>4000 0000 0000 0002</c> declined, <c>4000 0000 0000 0069</c> reported expired;
/// any other number that passes the Luhn check is accepted; an expiry in the past is expired.
/// </summary>
internal sealed class TestPaymentProvider(TimeProvider clock) : IPaymentProvider
{
    public const string Declined = "4000000000000002";
    public const string Expired = "4000000000000069";

    public string Name => "test";

    public Task<Result<CardToken>> TokenizeAsync(CardDetails card, CancellationToken cancellationToken)
    {
        var number = new string([.. (card.Number ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-')]);
        var today = clock.GetUtcNow();
        Result<CardToken> result =
            number.Length is < 12 or > 19 || !number.All(char.IsAsciiDigit) || !Luhn(number) ||
            card.ExpiryMonth is < 1 or > 12 || card.ExpiryYear is < 2000 or > 2100 ||
            card.Cvc is not { Length: 3 or 4 } || !card.Cvc.All(char.IsAsciiDigit)
                ? new Failure(OnboardingErrors.CardInvalid, "card")
                : number == Declined ? new Failure(OnboardingErrors.CardDeclined, "card")
                : number == Expired || (card.ExpiryYear, card.ExpiryMonth).CompareTo((today.Year, today.Month)) < 0 ? new Failure(OnboardingErrors.CardExpired, "card")
                : new CardToken("tok_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), BrandOf(number), number[^4..], card.ExpiryMonth, card.ExpiryYear);
        return Task.FromResult(result);
    }

    /// <summary>Tokens this provider issued are charged; anything else is declined.</summary>
    public Task<Result<string>> ChargeAsync(string token, decimal amount, string currency, string idempotencyKey, CancellationToken cancellationToken) =>
        Task.FromResult<Result<string>>(token.StartsWith("tok_test_", StringComparison.Ordinal) && amount > 0
            ? "ch_test_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(idempotencyKey)))[..24]
            : new Failure(OnboardingErrors.CardDeclined, "card"));

    private static string BrandOf(string number) => number[0] switch
    {
        '4' => "visa",
        '5' => "mastercard",
        '3' => "amex",
        _ => "card",
    };

    private static bool Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[digits.Length - 1 - i] - '0';
            sum += i % 2 == 1 ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit;
        }
        return sum % 10 == 0;
    }
}

/// <summary>A workspace's card on file: the provider's token and the last four digits, nothing more.</summary>
internal sealed class PaymentMethod : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public required string Provider { get; init; }

    public required string Token { get; init; }

    public required string Brand { get; init; }

    public required string Last4 { get; init; }

    public int ExpiryMonth { get; init; }

    public int ExpiryYear { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class PaymentMethodConfiguration : IEntityTypeConfiguration<PaymentMethod>
{
    public void Configure(EntityTypeBuilder<PaymentMethod> builder)
    {
        builder.ToTable("PaymentMethods");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Provider).HasMaxLength(20);
        builder.Property(p => p.Token).HasMaxLength(200);
        builder.Property(p => p.Brand).HasMaxLength(20);
        builder.Property(p => p.Last4).HasMaxLength(4);
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => p.WorkspaceId);
    }
}
