using System.Globalization;
using System.Text.RegularExpressions;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Workspaces;

/// <summary>
/// An item a feature's quota counts (labels, quick replies): the first ones created up to the
/// free quota are the defaults, which stay usable when the feature lapses; the others are
/// Revoked then (never deleted) and usable again when it returns (PLAN-3, LBL-1, QR-2).
/// </summary>
internal abstract class QuotaItem : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public bool IsDefault { get; set; }

    public bool Revoked { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>LBL-1: a label, its colour readable as text on white (WCAG AA, 4.5:1).</summary>
internal sealed class Label : QuotaItem
{
    public required string Name { get; set; }

    /// <summary><c>#RRGGBB</c>.</summary>
    public required string Colour { get; set; }
}

/// <summary>QR-1: typing <c>/keyword</c> in the composer inserts <see cref="Text"/>.</summary>
internal sealed class QuickReply : QuotaItem
{
    public required string Keyword { get; set; }

    public required string Text { get; set; }
}

internal sealed class LabelConfiguration : IEntityTypeConfiguration<Label>
{
    public void Configure(EntityTypeBuilder<Label> builder)
    {
        builder.ToTable("Labels");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Name).HasMaxLength(50);
        builder.Property(l => l.Colour).HasMaxLength(7);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(l => l.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(l => new { l.WorkspaceId, l.Name }).IsUnique();
    }
}

internal sealed class QuickReplyConfiguration : IEntityTypeConfiguration<QuickReply>
{
    public void Configure(EntityTypeBuilder<QuickReply> builder)
    {
        builder.ToTable("QuickReplies");
        builder.HasKey(q => q.Id);
        builder.Property(q => q.Keyword).HasMaxLength(30);
        builder.Property(q => q.Text).HasMaxLength(2000);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(q => q.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(q => new { q.WorkspaceId, q.Keyword }).IsUnique();
    }
}

internal sealed record LabelItem(Guid Id, string Name, string Colour, bool IsDefault, bool Revoked);

internal sealed record QuickReplyItem(Guid Id, string Keyword, string Text, bool IsDefault, bool Revoked);

internal static class CatalogErrors
{
    public const string NameRequired = "name_required";
    public const string NameTaken = "name_taken";
    public const string ColourInvalid = "colour_invalid";
    public const string ColourContrastLow = "colour_contrast_low";
    public const string KeywordInvalid = "keyword_invalid";
    public const string TextRequired = "text_required";
    public const string DefaultsLocked = "defaults_locked";
    public const string TooManyDefaults = "too_many_defaults";
    public const string ItemUnknown = "item_unknown";
}

/// <summary>
/// Labels (LBL-1) and quick replies (QR-1): created within the quota (checked with the
/// workspace's row held), the first of them defaults; while the feature is subscribed the
/// defaults can be chosen again (at most the free quota of them).
/// </summary>
internal sealed partial class Catalog(LayanDbContext db, Entitlements entitlements, AuditLog audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<LabelItem>> LabelsAsync(WorkspaceMembership access, CancellationToken cancellationToken) =>
        await db.Set<Label>().Where(l => l.WorkspaceId == access.WorkspaceId).OrderBy(l => l.CreatedAt)
            .Select(l => new LabelItem(l.Id, l.Name, l.Colour, l.IsDefault, l.Revoked)).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<QuickReplyItem>> QuickRepliesAsync(WorkspaceMembership access, CancellationToken cancellationToken) =>
        await db.Set<QuickReply>().Where(q => q.WorkspaceId == access.WorkspaceId).OrderBy(q => q.Keyword)
            .Select(q => new QuickReplyItem(q.Id, q.Keyword, q.Text, q.IsDefault, q.Revoked)).ToListAsync(cancellationToken);

    public async Task<Result<LabelItem>> CreateLabelAsync(WorkspaceMembership access, string? name, string? colour, CancellationToken cancellationToken)
    {
        var fields = LabelFields(name, colour);
        if (!fields.Succeeded)
        {
            return Result<LabelItem>.Failed(fields.Errors);
        }
        var (trimmed, hex) = fields.Value;
        var label = await CreateAsync(access, PlanFeatures.Label, new Label { Name = trimmed, Colour = hex, CreatedAt = clock.GetUtcNow() },
            ct => db.Set<Label>().AnyAsync(l => l.WorkspaceId == access.WorkspaceId && l.Name == trimmed, ct), cancellationToken);
        return label.Succeeded ? new LabelItem(label.Value!.Id, trimmed, hex, label.Value.IsDefault, false) : Result<LabelItem>.Failed(label.Errors);
    }

    /// <summary>Renames or recolours a label (Revoked ones too: editing does not make them usable). Null when there is none.</summary>
    public async Task<Result<LabelItem>?> UpdateLabelAsync(WorkspaceMembership access, Guid id, string? name, string? colour, CancellationToken cancellationToken)
    {
        var fields = LabelFields(name, colour);
        return await UpdateAsync<Label, LabelItem>(access, PlanFeatures.Label, id, fields.Errors,
            ct => db.Set<Label>().AnyAsync(l => l.WorkspaceId == access.WorkspaceId && l.Id != id && l.Name == fields.Value.Name, ct),
            label => (label.Name, label.Colour) = fields.Value,
            label => new LabelItem(label.Id, label.Name, label.Colour, label.IsDefault, label.Revoked), cancellationToken);
    }

    public async Task<Result<QuickReplyItem>> CreateQuickReplyAsync(WorkspaceMembership access, string? keyword, string? text, CancellationToken cancellationToken)
    {
        var fields = QuickReplyFields(keyword, text);
        if (!fields.Succeeded)
        {
            return Result<QuickReplyItem>.Failed(fields.Errors);
        }
        var (key, body) = fields.Value;
        var reply = await CreateAsync(access, PlanFeatures.QuickReply, new QuickReply { Keyword = key, Text = body, CreatedAt = clock.GetUtcNow() },
            ct => db.Set<QuickReply>().AnyAsync(q => q.WorkspaceId == access.WorkspaceId && q.Keyword == key, ct), cancellationToken);
        return reply.Succeeded ? new QuickReplyItem(reply.Value!.Id, key, body, reply.Value.IsDefault, false) : Result<QuickReplyItem>.Failed(reply.Errors);
    }

    /// <summary>Changes a quick reply's keyword or text. Null when there is none.</summary>
    public async Task<Result<QuickReplyItem>?> UpdateQuickReplyAsync(WorkspaceMembership access, Guid id, string? keyword, string? text, CancellationToken cancellationToken)
    {
        var fields = QuickReplyFields(keyword, text);
        return await UpdateAsync<QuickReply, QuickReplyItem>(access, PlanFeatures.QuickReply, id, fields.Errors,
            ct => db.Set<QuickReply>().AnyAsync(q => q.WorkspaceId == access.WorkspaceId && q.Id != id && q.Keyword == fields.Value.Keyword, ct),
            reply => (reply.Keyword, reply.Text) = fields.Value,
            reply => new QuickReplyItem(reply.Id, reply.Keyword, reply.Text, reply.IsDefault, reply.Revoked), cancellationToken);
    }

    private static Result<(string Name, string Colour)> LabelFields(string? name, string? colour)
    {
        var trimmed = name?.Trim() ?? "";
        var errors = new List<Failure>();
        if (trimmed.Length is 0 or > 50 || trimmed.Any(char.IsControl))
        {
            errors.Add(new Failure(CatalogErrors.NameRequired, "name"));
        }
        var hex = colour?.Trim().ToLowerInvariant() ?? "";
        if (!HexColour().IsMatch(hex))
        {
            errors.Add(new Failure(CatalogErrors.ColourInvalid, "colour"));
        }
        else if (ContrastWithWhite(hex) < 4.5)
        {
            errors.Add(new Failure(CatalogErrors.ColourContrastLow, "colour"));
        }
        return errors.Count > 0 ? Result<(string, string)>.Failed(errors) : (trimmed, hex);
    }

    private static Result<(string Keyword, string Text)> QuickReplyFields(string? keyword, string? text)
    {
        var key = keyword?.Trim().TrimStart('/').ToLowerInvariant() ?? "";
        var body = text?.Trim() ?? "";
        var errors = new List<Failure>();
        if (!Keyword().IsMatch(key))
        {
            errors.Add(new Failure(CatalogErrors.KeywordInvalid, "keyword"));
        }
        if (body.Length is 0 or > 2000)
        {
            errors.Add(new Failure(CatalogErrors.TextRequired, "text"));
        }
        return errors.Count > 0 ? Result<(string, string)>.Failed(errors) : (key, body);
    }

    /// <summary>While subscribed, chooses which items are the defaults (at most the free quota).</summary>
    public async Task<Result<bool>> SetDefaultsAsync<T>(WorkspaceMembership access, string feature, IReadOnlyList<Guid>? ids, CancellationToken cancellationToken)
        where T : QuotaItem
    {
        var wanted = (ids ?? []).Distinct().ToList();
        if (!await entitlements.SubscribedAsync(access.WorkspaceId, feature, cancellationToken))
        {
            return new Failure(CatalogErrors.DefaultsLocked, "ids");
        }
        if (wanted.Count > PlanFeatures.FreeQuota(feature))
        {
            return new Failure(CatalogErrors.TooManyDefaults, "ids");
        }
        var items = await db.Set<T>().Where(i => i.WorkspaceId == access.WorkspaceId).ToListAsync(cancellationToken);
        if (wanted.Except(items.Select(i => i.Id)).Any())
        {
            return new Failure(CatalogErrors.ItemUnknown, "ids");
        }
        items.ForEach(i => i.IsDefault = wanted.Contains(i.Id));
        audit.Record($"{feature}.defaults_set", $"features/{feature}", null, wanted, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Deletes one label or quick reply of the workspace (a person's choice; revocation never deletes). False when there is none.</summary>
    public async Task<bool> DeleteAsync<T>(WorkspaceMembership access, string feature, Guid id, CancellationToken cancellationToken)
        where T : QuotaItem
    {
        var item = await db.Set<T>().SingleOrDefaultAsync(i => i.Id == id && i.WorkspaceId == access.WorkspaceId, cancellationToken);
        if (item is null)
        {
            return false;
        }
        db.Remove(item);
        audit.Record($"{feature}.deleted", $"{feature}/{id}", item, null, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    // The name is checked with the workspace's row held, as when creating; before and after go to the audit log.
    private async Task<Result<TItem>?> UpdateAsync<T, TItem>(
        WorkspaceMembership access, string feature, Guid id, IReadOnlyList<Failure> invalid, Func<CancellationToken, Task<bool>> nameTaken, Action<T> apply,
        Func<T, TItem> view, CancellationToken cancellationToken)
        where T : QuotaItem
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockWorkspaceAsync(access.WorkspaceId, cancellationToken);
        var item = await db.Set<T>().SingleOrDefaultAsync(i => i.Id == id && i.WorkspaceId == access.WorkspaceId, cancellationToken);
        if (item is null)
        {
            return null;
        }
        if (invalid.Count > 0)
        {
            return Result<TItem>.Failed(invalid);
        }
        if (await nameTaken(cancellationToken))
        {
            return new Failure(CatalogErrors.NameTaken, "name");
        }
        var before = view(item);
        apply(item);
        var after = view(item);
        audit.Record($"{feature}.updated", $"{feature}/{id}", before, after, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return after;
    }

    // The quota is counted with the workspace's row held; the first items up to the free quota are defaults.
    private async Task<Result<T>> CreateAsync<T>(WorkspaceMembership access, string feature, T item, Func<CancellationToken, Task<bool>> nameTaken, CancellationToken cancellationToken)
        where T : QuotaItem
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockWorkspaceAsync(access.WorkspaceId, cancellationToken);
        // Revoked items are kept but not usable: the quota counts the usable ones.
        var count = await db.Set<T>().CountAsync(i => i.WorkspaceId == access.WorkspaceId && !i.Revoked, cancellationToken);
        if (count >= await entitlements.QuotaAsync(access.WorkspaceId, feature, cancellationToken))
        {
            return new Failure(DepartmentErrors.QuotaExceeded, "name");
        }
        if (await nameTaken(cancellationToken))
        {
            return new Failure(CatalogErrors.NameTaken, "name");
        }
        item.WorkspaceId = access.WorkspaceId;
        item.IsDefault = count < PlanFeatures.FreeQuota(feature);
        db.Add(item);
        audit.Record($"{feature}.created", $"{feature}/{item.Id}", null, item, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return item;
    }

    /// <summary>WCAG 2 contrast ratio of <paramref name="hex"/> against white.</summary>
    public static double ContrastWithWhite(string hex)
    {
        static double Channel(string part)
        {
            var c = int.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        var luminance = 0.2126 * Channel(hex[1..3]) + 0.7152 * Channel(hex[3..5]) + 0.0722 * Channel(hex[5..7]);
        return 1.05 / (luminance + 0.05);
    }

    [GeneratedRegex("^#[0-9a-f]{6}$", RegexOptions.None, 1000)]
    private static partial Regex HexColour();

    [GeneratedRegex("^[a-z0-9_-]{1,30}$", RegexOptions.None, 1000)]
    private static partial Regex Keyword();
}
