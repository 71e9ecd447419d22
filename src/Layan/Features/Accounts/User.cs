using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Accounts;

/// <summary>
/// A person with a login (ASP.NET Core Identity does hashing, lockout, tokens, security stamp).
/// Not owned by a workspace: one user may belong to several.
/// </summary>
internal sealed class User : IdentityUser<Guid>
{
    public required string FullName { get; set; }

    /// <summary>en, id or es: the UI and every email to this user.</summary>
    public required string Language { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>Failed sign-ins count toward lockout only within a window (LOG-3: 5 within 15 minutes).</summary>
    public DateTimeOffset? LastFailedSignInAt { get; set; }

    /// <summary>LOG-10: the last authenticator time step accepted; a code of that step or earlier is refused.</summary>
    public long? LastTotpStep { get; set; }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(u => u.FullName).HasMaxLength(200);
        builder.Property(u => u.Language).HasMaxLength(5);
        // One account per address, guaranteed by the database even for simultaneous registrations.
        builder.HasIndex(u => u.NormalizedEmail).HasDatabaseName("EmailIndex").IsUnique();
    }
}
