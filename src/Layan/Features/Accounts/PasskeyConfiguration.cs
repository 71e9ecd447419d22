using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Accounts;

/// <summary>
/// Identity's passkey table (LOG-2), mapped here rather than by Identity's schema version 3, so the
/// model is the same however a context is made (Identity reads the version from the application's
/// services, which a context made by tests or tools does not have). The shape is Identity's: the
/// credential id (at most 1023 bytes by WebAuthn) as key, the passkey's data as one JSON column.
/// </summary>
internal sealed class PasskeyConfiguration : IEntityTypeConfiguration<IdentityUserPasskey<Guid>>
{
    public void Configure(EntityTypeBuilder<IdentityUserPasskey<Guid>> builder)
    {
        builder.ToTable("AspNetUserPasskeys");
        builder.HasKey(p => p.CredentialId);
        builder.Property(p => p.CredentialId).HasMaxLength(1024);
        builder.OwnsOne(p => p.Data).ToJson();
        builder.HasOne<User>().WithMany().HasForeignKey(p => p.UserId).IsRequired().OnDelete(DeleteBehavior.Cascade);
    }
}
