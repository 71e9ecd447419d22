using System.Collections.Concurrent;
using System.Text.Json;
using Layan.Features.Accounts;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Channels;

internal static class ChannelErrors
{
    public const string KindUnknown = "channel_kind_unknown";
    public const string NameInvalid = "channel_name_invalid";
    public const string AccountInvalid = "channel_account_invalid";
    public const string CredentialsRequired = "channel_credentials_required";
    public const string CredentialsRejected = "channel_credentials_rejected";
    public const string AccountTaken = "channel_account_taken";
    public const string QuotaExceeded = "channel_quota_exceeded";
    public const string DefaultsFull = "channel_defaults_full";
    public const string DepartmentUnknown = "channel_department_unknown";
    public const string Disabled = "channel_disabled";
    public const string WindowClosed = "channel_window_closed";
    public const string TemplateInvalid = "channel_template_invalid";
    public const string NotAComment = "channel_not_a_comment";
    public const string TooLong = "channel_message_too_long";
    public const string ProviderRefused = "channel_provider_refused";
    public const string ConfirmRequired = "channel_confirm_required";
    public const string AttachmentUnsupported = "channel_attachment_unsupported";

    public static IReadOnlyList<string> All { get; } =
    [
        KindUnknown, NameInvalid, AccountInvalid, CredentialsRequired, CredentialsRejected, AccountTaken, QuotaExceeded, DefaultsFull,
        DepartmentUnknown, Disabled, WindowClosed, TemplateInvalid, NotAComment, TooLong, ProviderRefused, ConfirmRequired, AttachmentUnsupported,
    ];
}

/// <summary>A channel as the settings page and the API show it (credentials never).</summary>
internal sealed record ChannelItem(
    Guid Id, string Kind, string Name, string ExternalId, string WebhookUrl, bool Enabled, bool Revoked, bool IsDefault,
    bool Messages, bool Comments, Guid? DepartmentId, ChannelCapabilities Capabilities);

/// <summary>A new channel, with what is shown once: the secrets Layan made up (verify token, webhook password).</summary>
internal sealed record CreatedChannel(ChannelItem Channel, IReadOnlyDictionary<string, string> Secrets);

internal sealed record ChannelInput(string? Kind, string? Name, string? ExternalId, IReadOnlyDictionary<string, string>? Credentials, Guid? DepartmentId, bool? Messages, bool? Comments);

internal sealed record ChannelChange(string? Name, bool? Enabled, bool? IsDefault, bool? Messages, bool? Comments, Guid? DepartmentId, bool? MainDepartment, IReadOnlyDictionary<string, string>? Credentials);

/// <summary>The adapters by kind, and the credentials' protector.</summary>
internal sealed class ChannelAdapters(IEnumerable<IChannelAdapter> adapters, IDataProtectionProvider protection)
{
    private readonly Dictionary<string, IChannelAdapter> _byKind = adapters.ToDictionary(a => a.Kind);
    private readonly IDataProtector _protector = protection.CreateProtector("Layan.Channels.Credentials.v1");

    public IReadOnlyCollection<string> Kinds => _byKind.Keys;

    public IChannelAdapter? For(string kind) => _byKind.GetValueOrDefault(kind);

    /// <summary>CH-2: WhatsApp and email are always included; the others count against the quota.</summary>
    public static bool Counted(string kind) => kind is not (WhatsApp.WhatsAppAdapter.KindName or Email.EmailAdapter.KindName);

    public string Protect(IReadOnlyDictionary<string, string> values) => _protector.Protect(JsonSerializer.Serialize(values));

    public ChannelCredentials Unprotect(string stored) =>
        new(JsonSerializer.Deserialize<Dictionary<string, string>>(_protector.Unprotect(stored)) ?? []);

    public ConnectedChannel Connected(Channel c) => new(c.Id, c.WorkspaceId, c.Kind, c.Name, c.ExternalId, c.Active, c.Messages, c.Comments, Unprotect(c.Credentials));
}

internal static class ChannelQueries
{
    /// <summary>CH-2: the channels that count against the quota (all but WhatsApp and email).</summary>
    public static IQueryable<Channel> Counted(this IQueryable<Channel> channels) =>
        channels.Where(c => c.Kind != WhatsApp.WhatsAppAdapter.KindName && c.Kind != Email.EmailAdapter.KindName);
}

/// <summary>
/// The webhook's view of channels: by id, across workspaces (the id in the URL is the key), held
/// for a few seconds so a burst of webhooks reads the row and decrypts its secrets once. Changes
/// on this node are seen at once; on other nodes within <see cref="Ttl"/> (and processing reads
/// the row again).
/// </summary>
internal sealed class ChannelDirectory(IServiceScopeFactory scopes, ChannelAdapters adapters, TimeProvider clock)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<Guid, (ConnectedChannel? Channel, DateTimeOffset Until)> _cache = new();

    public async ValueTask<ConnectedChannel?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(id, out var held) && held.Until > now)
        {
            return held.Channel;
        }
        await using var scope = scopes.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<LayanDbContext>().Set<Channel>().IgnoreQueryFilters().AsNoTracking()
            .SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (row is null)
        {
            return null; // misses are not held: made-up ids would fill the cache
        }
        var channel = adapters.Connected(row);
        _cache[id] = (channel, now + Ttl);
        return channel;
    }

    public void Forget(Guid id) => _cache.TryRemove(id, out _);
}

/// <summary>
/// CH-1..3: connecting, changing and removing channels. Quota (CH-2) is checked under the
/// workspace's row lock, so two Administrators adding the fourth channel at once cannot both win.
/// </summary>
internal sealed class ChannelSetup(
    LayanDbContext db, ChannelAdapters adapters, ChannelDirectory directory, Entitlements entitlements, AuditLog audit,
    IOptions<PublicUrlOptions> publicUrl, TimeProvider clock)
{
    public async Task<IReadOnlyList<ChannelItem>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await db.Set<Channel>().OrderBy(c => c.CreatedAt).ToListAsync(cancellationToken)).Select(Item)];

    public ChannelItem Item(Channel c) =>
        new(c.Id, c.Kind, c.Name, c.ExternalId, WebhookUrl(c.Id), c.Enabled, c.Revoked, c.IsDefault, c.Messages, c.Comments, c.DepartmentId,
            adapters.For(c.Kind)?.Capabilities ?? new ChannelCapabilities());

    public string WebhookUrl(Guid id) => publicUrl.Value.Link($"/hooks/{id}");

    public async Task<Result<CreatedChannel>> CreateAsync(WorkspaceMembership access, ChannelInput input, CancellationToken cancellationToken)
    {
        if (input.Kind is null || adapters.For(input.Kind) is not { } adapter)
        {
            return new Failure(ChannelErrors.KindUnknown, "kind");
        }
        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100 || name.Any(char.IsControl))
        {
            return new Failure(ChannelErrors.NameInvalid, "name");
        }
        var credentials = (input.Credentials ?? new Dictionary<string, string>())
            .Where(p => adapter.CredentialFields.Contains(p.Key) && !string.IsNullOrWhiteSpace(p.Value))
            .ToDictionary(p => p.Key, p => p.Value.Trim());
        var missing = adapter.CredentialFields.Where(f => !ChannelCredentials.Optional.Contains(f) && !credentials.ContainsKey(f)).ToList();
        if (missing.Count > 0 || credentials.Values.Any(v => v.Length > 1000))
        {
            return new Failure(ChannelErrors.CredentialsRequired, $"credentials.{missing.FirstOrDefault() ?? adapter.CredentialFields[0]}");
        }
        var shown = new Dictionary<string, string>();
        var externalId = input.ExternalId?.Trim() ?? "";
        switch (adapter.Kind)
        {
            case Telegram.TelegramAdapter.KindName:
                externalId = Telegram.TelegramAdapter.BotId(credentials[ChannelCredentials.BotToken]) ?? "";
                credentials[ChannelCredentials.SecretToken] = Secrets.NewToken(32);
                if (externalId.Length == 0)
                {
                    return new Failure(ChannelErrors.CredentialsRejected, "credentials.bot_token");
                }
                break;
            case Email.EmailAdapter.KindName:
                externalId = externalId.ToLowerInvariant();
                if (!EmailAddresses.IsValid(externalId))
                {
                    return new Failure(ChannelErrors.AccountInvalid, "externalId");
                }
                shown[ChannelCredentials.Password] = credentials[ChannelCredentials.Password] = Secrets.NewToken(24);
                break;
            default:
                if (externalId.Length is 0 or > 100 || !externalId.All(char.IsAsciiDigit))
                {
                    return new Failure(ChannelErrors.AccountInvalid, "externalId");
                }
                if (!credentials.ContainsKey(ChannelCredentials.VerifyToken))
                {
                    shown[ChannelCredentials.VerifyToken] = credentials[ChannelCredentials.VerifyToken] = Secrets.NewToken(24);
                }
                break;
        }
        if (input.DepartmentId is { } departmentId && !await db.Set<Department>().AnyAsync(d => d.Id == departmentId, cancellationToken))
        {
            return new Failure(ChannelErrors.DepartmentUnknown, "departmentId");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockWorkspaceAsync(access.WorkspaceId, cancellationToken);
        if (await db.Set<Channel>().IgnoreQueryFilters().AnyAsync(c => c.Kind == adapter.Kind && c.ExternalId == externalId, cancellationToken))
        {
            return new Failure(ChannelErrors.AccountTaken, "externalId");
        }
        var counted = ChannelAdapters.Counted(adapter.Kind);
        var social = counted ? await db.Set<Channel>().Counted().CountAsync(cancellationToken) : 0;
        if (counted && social >= await entitlements.QuotaAsync(access.WorkspaceId, PlanFeatures.Channel, cancellationToken))
        {
            return new Failure(ChannelErrors.QuotaExceeded, "kind");
        }
        var defaults = counted ? await db.Set<Channel>().Counted().CountAsync(c => c.IsDefault, cancellationToken) : 0;
        var channel = new Channel
        {
            Kind = adapter.Kind,
            Name = name,
            ExternalId = externalId,
            Credentials = adapters.Protect(credentials),
            DepartmentId = input.DepartmentId,
            // CH-3: the first three counted channels (and every included one) stay when the feature lapses.
            IsDefault = !counted || defaults < PlanFeatures.FreeQuota(PlanFeatures.Channel),
            Messages = input.Messages ?? true,
            Comments = adapter.Capabilities.Comments && (input.Comments ?? false),
            CreatedAt = clock.GetUtcNow(),
        };
        db.Add(channel);
        string? refused;
        try
        {
            refused = await adapter.ConnectAsync(adapters.Connected(channel), WebhookUrl(channel.Id), cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            refused = ChannelErrors.ProviderRefused;
        }
        if (refused is not null)
        {
            return new Failure(refused, "credentials");
        }
        audit.Record("channel.created", $"channels/{channel.Id}", null, new { channel.Kind, channel.ExternalId }, actorId: access.Member.UserId.ToString(), workspaceId: access.WorkspaceId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CreatedChannel(Item(channel), shown);
    }

    public async Task<Result<ChannelItem>?> UpdateAsync(WorkspaceMembership access, Guid id, ChannelChange change, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockWorkspaceAsync(access.WorkspaceId, cancellationToken);
        if (await db.Set<Channel>().SingleOrDefaultAsync(c => c.Id == id, cancellationToken) is not { } channel)
        {
            return null;
        }
        var adapter = adapters.For(channel.Kind)!;
        if (change.Name is { } rename)
        {
            var name = rename.Trim();
            if (name.Length is 0 or > 100 || name.Any(char.IsControl))
            {
                return new Failure(ChannelErrors.NameInvalid, "name");
            }
            channel.Name = name;
        }
        if (change.DepartmentId is { } departmentId)
        {
            if (!await db.Set<Department>().AnyAsync(d => d.Id == departmentId, cancellationToken))
            {
                return new Failure(ChannelErrors.DepartmentUnknown, "departmentId");
            }
            channel.DepartmentId = departmentId;
        }
        else if (change.MainDepartment == true)
        {
            channel.DepartmentId = null;
        }
        channel.Enabled = change.Enabled ?? channel.Enabled;
        channel.Messages = change.Messages ?? channel.Messages;
        channel.Comments = adapter.Capabilities.Comments && (change.Comments ?? channel.Comments);
        if (change.IsDefault is { } isDefault && isDefault != channel.IsDefault && ChannelAdapters.Counted(channel.Kind))
        {
            // CH-3: the Administrator chooses which counted channels survive a lapse, up to the free quota.
            if (isDefault && await db.Set<Channel>().Counted().CountAsync(c => c.IsDefault, cancellationToken) >= PlanFeatures.FreeQuota(PlanFeatures.Channel))
            {
                return new Failure(ChannelErrors.DefaultsFull, "isDefault");
            }
            channel.IsDefault = isDefault;
            channel.Revoked = !isDefault && !await entitlements.SubscribedAsync(access.WorkspaceId, PlanFeatures.Channel, cancellationToken);
        }
        if (change.Credentials is { Count: > 0 } replaced)
        {
            var current = adapters.Unprotect(channel.Credentials).Values.ToDictionary();
            foreach (var (key, value) in replaced.Where(p => adapter.CredentialFields.Contains(p.Key) && !string.IsNullOrWhiteSpace(p.Value)))
            {
                if (value.Length > 1000)
                {
                    return new Failure(ChannelErrors.CredentialsRequired, $"credentials.{key}");
                }
                current[key] = value.Trim();
            }
            channel.Credentials = adapters.Protect(current);
        }
        audit.Record("channel.changed", $"channels/{channel.Id}", null, change with { Credentials = null }, actorId: access.Member.UserId.ToString(), workspaceId: access.WorkspaceId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        directory.Forget(channel.Id);
        return Item(channel);
    }

    /// <summary>Removes a channel; its conversations and their history stay.</summary>
    public async Task<Result<ChannelItem>?> DeleteAsync(WorkspaceMembership access, Guid id, CancellationToken cancellationToken)
    {
        if (await db.Set<Channel>().SingleOrDefaultAsync(c => c.Id == id, cancellationToken) is not { } channel)
        {
            return null;
        }
        db.Remove(channel);
        audit.Record("channel.deleted", $"channels/{channel.Id}", new { channel.Kind, channel.ExternalId }, null, actorId: access.Member.UserId.ToString(), workspaceId: access.WorkspaceId);
        await db.SaveChangesAsync(cancellationToken);
        directory.Forget(channel.Id);
        return Item(channel);
    }
}
