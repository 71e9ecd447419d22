using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Localization;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Accounts;

/// <summary>ACC-2: what the registration form and <c>POST /api/v1/auth/register</c> send.</summary>
internal sealed record RegisterRequest(string? FullName, string? Email, string? Password, string? Language, string? Phone, bool AcceptTerms);

/// <summary>
/// ACC-2, ACC-3, ACC-8: checks the form field by field, creates the user and starts verification;
/// an address that already has an account gets the very same answer, and its owner an email.
/// </summary>
internal sealed class Registration(
    LayanDbContext db,
    UserManager<User> users,
    IPasswordHasher<User> hasher,
    EmailVerification verification,
    Mailer mailer,
    IStringLocalizer<AccountsResource> strings,
    IOptions<PublicUrlOptions> publicUrl,
    TimeProvider clock)
{
    public static IReadOnlyList<Failure> Validate(RegisterRequest request)
    {
        var errors = new List<Failure>();
        var name = request.FullName?.Trim() ?? "";
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            errors.Add(new Failure(AccountErrors.FullNameRequired, "fullName"));
        }
        else if (name.Length > 200)
        {
            errors.Add(new Failure(AccountErrors.FullNameTooLong, "fullName"));
        }
        if (!EmailAddresses.IsValid(request.Email?.Trim()))
        {
            errors.Add(new Failure(AccountErrors.EmailInvalid, "email"));
        }
        var verdict = PasswordPolicy.Shipped.Evaluate(request.Password, request.Email, request.FullName);
        errors.AddRange(verdict.Problems.Select(p => new Failure(p, "password")));
        if (!SupportedLanguages.IsSupported(request.Language))
        {
            errors.Add(new Failure(AccountErrors.LanguageInvalid, "language"));
        }
        if (!string.IsNullOrWhiteSpace(request.Phone) && PhoneNumbers.Normalize(request.Phone) is null)
        {
            errors.Add(new Failure(AccountErrors.PhoneInvalid, "phone"));
        }
        if (!request.AcceptTerms)
        {
            errors.Add(new Failure(AccountErrors.TermsRequired, "acceptTerms"));
        }
        return errors;
    }

    /// <summary>Registers; the result is the address the code went to (or would have).</summary>
    public async Task<Result<string>> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return Result<string>.Failed(errors);
        }
        var email = request.Email!.Trim();
        var now = clock.GetUtcNow();
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            Email = email,
            FullName = request.FullName!.Trim(),
            Language = request.Language!,
            PhoneNumber = PhoneNumbers.Normalize(request.Phone),
            CreatedAt = now,
            LockoutEnabled = true,
        };
        var existing = await users.FindByEmailAsync(email);
        if (existing is not null)
        {
            // Same work (a password hash) and the same answer as a new registration.
            _ = hasher.HashPassword(user, request.Password!);
            NotifyOwner(existing);
            await db.SaveChangesAsync(cancellationToken);
            return email;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var created = await users.CreateAsync(user, request.Password!);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException("The user could not be created: " + string.Join(", ", created.Errors.Select(e => e.Code)));
            }
            await verification.StartAsync(user, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Registered at the same instant by another request: the unique index decided.
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            var raced = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException("The user could not be saved.");
            NotifyOwner(raced);
            await db.SaveChangesAsync(cancellationToken);
        }
        return email;
    }

    private void NotifyOwner(User owner) =>
        mailer.Queue(new EmailTemplate(strings, "DuplicateRegistration"), owner.Email!, owner.Language, new Dictionary<string, string>
        {
            ["name"] = owner.FullName,
            [Mailer.ActionUrl] = publicUrl.Value.Link("/login"),
        });
}
