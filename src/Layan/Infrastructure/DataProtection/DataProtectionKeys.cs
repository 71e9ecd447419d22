using System.Xml.Linq;
using Layan.Infrastructure.Db;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Infrastructure.DataProtection;

/// <summary>One data-protection key ring element (cookies, antiforgery tokens, protected codes).</summary>
internal sealed class DataProtectionKey
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public string? FriendlyName { get; init; }

    public required string Xml { get; init; }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        builder.ToTable("DataProtectionKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.FriendlyName).HasMaxLength(200);
    }
}

/// <summary>
/// Keeps the key ring in Layan's own database, so every node behind a load balancer reads and
/// writes the same keys and a restart signs nobody out (the EF Core key store package is not
/// available here; this is the documented <see cref="IXmlRepository"/> extension point).
/// </summary>
internal sealed class DatabaseXmlRepository(IServiceScopeFactory scopes) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        return [.. db.Set<DataProtectionKey>().AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).AsEnumerable().Select(XElement.Parse)];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LayanDbContext>();
        db.Set<DataProtectionKey>().Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}

internal static class DataProtectionModule
{
    public static WebApplicationBuilder AddLayanDataProtection(this WebApplicationBuilder builder)
    {
        builder.Services.AddDataProtection().SetApplicationName("Layan");
        builder.Services.AddSingleton<DatabaseXmlRepository>();
        builder.Services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<DatabaseXmlRepository>((options, repository) => options.XmlRepository = repository);
        return builder;
    }
}
