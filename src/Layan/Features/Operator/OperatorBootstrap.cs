using Layan.Features.Accounts;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Operator;

/// <summary>Section <c>Operator</c>.</summary>
internal sealed class OperatorOptions
{
    public const string Section = "Operator";

    /// <summary>
    /// On a start with no operator admin yet, this address becomes the first one and is emailed a
    /// set-password link. Ignored once an operator admin exists.
    /// </summary>
    public string? BootstrapAdminEmail { get; set; }

    /// <summary>How long the set-password link of a new operator admin works.</summary>
    public TimeSpan SetPasswordLinkLifetime { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>
/// The first operator admin: <c>operator create-admin &lt;email&gt;</c> on the command line, or
/// <c>Operator:BootstrapAdminEmail</c> on first start. An existing account keeps its password and
/// gains the role; a new one is created verified (the operator vouches for the address) with no
/// password, and the one-time link sets it.
/// </summary>
internal sealed class OperatorBootstrap(
    LayanDbContext db,
    UserManager<User> users,
    OperatorStaff staff,
    PasswordReset passwords,
    Mailer mailer,
    IStringLocalizer<OperatorResource> strings,
    IOptions<OperatorOptions> options,
    IOptions<PublicUrlOptions> publicUrl,
    TimeProvider clock)
{
    /// <summary>The outcome: the account and, when it has no password yet, the link that sets one.</summary>
    public sealed record Created(User User, string? SetPasswordLink);

    public async Task<Created> CreateAdminAsync(string email, CancellationToken cancellationToken)
    {
        var address = email.Trim();
        if (!EmailAddresses.IsValid(address))
        {
            throw new ArgumentException($"'{email}' is not an email address Layan accepts.", nameof(email));
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await users.FindByEmailAsync(address);
        if (user is null)
        {
            var now = clock.GetUtcNow();
            user = new User
            {
                Id = Guid.CreateVersion7(),
                UserName = address,
                Email = address,
                FullName = address[..address.IndexOf('@', StringComparison.Ordinal)],
                Language = "en",
                EmailConfirmed = true,
                VerifiedAt = now,
                CreatedAt = now,
                LockoutEnabled = true,
            };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException("The operator account could not be created: " + string.Join(", ", created.Errors.Select(e => e.Code)));
            }
        }
        else if (!user.EmailConfirmed)
        {
            // Someone registered the address without proving it: whatever password they chose
            // must not become an operator admin's. The address's owner sets one with the link.
            await users.RemovePasswordAsync(user);
            user.EmailConfirmed = true;
            user.VerifiedAt = clock.GetUtcNow();
            await users.UpdateSecurityStampAsync(user);
        }
        await staff.GrantAsync(user.Id, OperatorRoles.Admin, AuditLog.SystemActor, cancellationToken);
        string? link = null;
        if (!await users.HasPasswordAsync(user))
        {
            link = await passwords.IssueSetPasswordLinkAsync(user, options.Value.SetPasswordLinkLifetime); // saves the role too
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Created(user, link);
    }

    /// <summary>On start: the configured first admin, emailed a link, when there is no operator admin yet.</summary>
    public async Task BootstrapFromConfigurationAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.BootstrapAdminEmail) || await staff.AnyAdminAsync(cancellationToken))
        {
            return;
        }
        var created = await CreateAdminAsync(options.Value.BootstrapAdminEmail, cancellationToken);
        mailer.Queue(new EmailTemplate(strings, "OperatorWelcome"), created.User.Email!, created.User.Language, new Dictionary<string, string>
        {
            ["hours"] = ((int)options.Value.SetPasswordLinkLifetime.TotalHours).ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Mailer.ActionUrl] = created.SetPasswordLink ?? publicUrl.Value.Link("/login"),
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>Runs <see cref="OperatorBootstrap.BootstrapFromConfigurationAsync"/> once the database is migrated.</summary>
internal sealed class OperatorBootstrapOnStartup(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OperatorBootstrap>().BootstrapFromConfigurationAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
