using System.Text.RegularExpressions;
using Layan.Features.Accounts;
using Layan.Features.Tickets.Rules;
using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Microsoft.EntityFrameworkCore;

namespace Layan.Features.Tickets;

/// <summary>A workspace's ticket settings as the API and the page show them.</summary>
internal sealed record TicketRules(
    string Prefix, bool InboundAsTicket, bool InboundInEffect, bool AutoCloseBlacklisted,
    IReadOnlyList<string> EditInProgressRoles, IReadOnlyList<string> EditResolvedRoles, bool Subscribed, string RulesMatch = RuleMatch.First)
{
    /// <summary>TKT-4: Administrators always; otherwise the roles chosen for the ticket's state.</summary>
    public bool MayEdit(string role, string status) =>
        role == WorkspaceRoles.Administrator || (TicketStatus.IsDone(status) ? EditResolvedRoles : EditInProgressRoles).Contains(role);
}

/// <summary>What the settings form sends; null fields stay as they are.</summary>
internal sealed record TicketSettingsInput(
    string? Prefix, bool? InboundAsTicket, bool? AutoCloseBlacklisted, IReadOnlyList<string>? EditInProgressRoles, IReadOnlyList<string>? EditResolvedRoles,
    string? RulesMatch = null);

internal sealed record BlacklistItem(Guid Id, string Kind, string Value, DateTimeOffset CreatedAt);

/// <summary>
/// Seed 004's ticket settings: Ticket Prefix (TKT-1), Ticket Access (TKT-4), Converse as Ticket
/// (TKT-2) and Autoclosed Inbound as Ticket with its blacklist (TKT-5). Changing them needs the
/// Ticket feature; Converse as Ticket, as chosen, is remembered while the feature has lapsed and
/// is in effect again when it returns (PLAN-3).
/// </summary>
internal sealed partial class TicketSettingsService(LayanDbContext db, Entitlements entitlements, AuditLog audit, TimeProvider clock)
{
    public async Task<TicketRules> GetAsync(WorkspaceMembership access, CancellationToken cancellationToken) =>
        await RulesAsync(access.WorkspaceId, cancellationToken);

    public async Task<TicketRules> RulesAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        var row = await db.Set<TicketSettings>().AsNoTracking().SingleOrDefaultAsync(s => s.WorkspaceId == workspaceId, cancellationToken) ?? new TicketSettings();
        var subscribed = await entitlements.SubscribedAsync(workspaceId, PlanFeatures.Ticket, cancellationToken);
        return new TicketRules(
            row.Prefix, row.InboundAsTicket, row.InboundAsTicket && subscribed, row.AutoCloseBlacklisted,
            Roles(row.EditInProgressRoles), Roles(row.EditResolvedRoles), subscribed, row.RulesMatch);
    }

    public async Task<Result<TicketRules>> UpdateAsync(WorkspaceMembership access, TicketSettingsInput input, CancellationToken cancellationToken)
    {
        if (!await entitlements.SubscribedAsync(access.WorkspaceId, PlanFeatures.Ticket, cancellationToken))
        {
            return new Failure(TicketErrors.FeatureRequired);
        }
        var errors = new List<Failure>();
        var prefix = input.Prefix?.Trim().ToUpperInvariant();
        if (prefix is not null && !PrefixPattern().IsMatch(prefix))
        {
            errors.Add(new Failure(TicketErrors.PrefixInvalid, "prefix"));
        }
        foreach (var (roles, field) in new[] { (input.EditInProgressRoles, "editInProgressRoles"), (input.EditResolvedRoles, "editResolvedRoles") })
        {
            if (roles is not null && roles.Any(r => !WorkspaceRoles.All.Contains(r)))
            {
                errors.Add(new Failure(TicketErrors.RolesInvalid, field));
            }
        }
        if (input.RulesMatch is not (null or RuleMatch.First or RuleMatch.All))
        {
            errors.Add(new Failure(RuleErrors.MatchInvalid, "rulesMatch"));
        }
        if (errors.Count > 0)
        {
            return Result<TicketRules>.Failed(errors);
        }
        await EnsureAsync(access.WorkspaceId, cancellationToken);
        var row = await db.Set<TicketSettings>().SingleAsync(s => s.WorkspaceId == access.WorkspaceId, cancellationToken);
        var before = new { row.Prefix, row.InboundAsTicket, row.AutoCloseBlacklisted, row.EditInProgressRoles, row.EditResolvedRoles, row.RulesMatch };
        row.Prefix = prefix ?? row.Prefix;
        row.InboundAsTicket = input.InboundAsTicket ?? row.InboundAsTicket;
        row.AutoCloseBlacklisted = input.AutoCloseBlacklisted ?? row.AutoCloseBlacklisted;
        row.EditInProgressRoles = input.EditInProgressRoles is { } progress ? string.Join(',', progress.Distinct()) : row.EditInProgressRoles;
        row.EditResolvedRoles = input.EditResolvedRoles is { } resolved ? string.Join(',', resolved.Distinct()) : row.EditResolvedRoles;
        row.RulesMatch = input.RulesMatch ?? row.RulesMatch;
        audit.Record("settings.tickets", $"workspaces/{access.WorkspaceId}", before,
            new { row.Prefix, row.InboundAsTicket, row.AutoCloseBlacklisted, row.EditInProgressRoles, row.EditResolvedRoles, row.RulesMatch }, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return await GetAsync(access, cancellationToken);
    }

    /// <summary>
    /// The next ticket number of the workspace, in the caller's transaction: the settings row is
    /// updated first, which holds it (a row lock on PostgreSQL, the write lock on SQLite) until the
    /// transaction ends, so concurrent tickets queue for their numbers instead of sharing one.
    /// </summary>
    public async Task<long> NextNumberAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        await EnsureAsync(workspaceId, cancellationToken);
        await db.Set<TicketSettings>().Where(s => s.WorkspaceId == workspaceId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastNumber, x => x.LastNumber + 1), cancellationToken);
        return await db.Set<TicketSettings>().Where(s => s.WorkspaceId == workspaceId).Select(s => s.LastNumber).SingleAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<BlacklistItem>> BlacklistAsync(WorkspaceMembership access, CancellationToken cancellationToken) =>
        await db.Set<BlacklistEntry>().Where(b => b.WorkspaceId == access.WorkspaceId).OrderBy(b => b.Value)
            .Select(b => new BlacklistItem(b.Id, b.Kind, b.Value, b.CreatedAt)).ToListAsync(cancellationToken);

    /// <summary>TKT-5: adds an email or a phone number, validated and normalized (lower-case email, E.164 phone).</summary>
    public async Task<Result<BlacklistItem>> AddToBlacklistAsync(WorkspaceMembership access, string? value, CancellationToken cancellationToken)
    {
        if (!await entitlements.SubscribedAsync(access.WorkspaceId, PlanFeatures.Ticket, cancellationToken))
        {
            return new Failure(TicketErrors.FeatureRequired);
        }
        if (Normalize(value) is not { } entry)
        {
            return new Failure(TicketErrors.BlacklistValueInvalid, "value");
        }
        if (await db.Set<BlacklistEntry>().AnyAsync(b => b.WorkspaceId == access.WorkspaceId && b.Value == entry.Value, cancellationToken))
        {
            return new Failure(TicketErrors.BlacklistDuplicate, "value");
        }
        var row = new BlacklistEntry { Kind = entry.Kind, Value = entry.Value, CreatedAt = clock.GetUtcNow() };
        db.Add(row);
        audit.Record("tickets.blacklist.added", $"workspaces/{access.WorkspaceId}", null, new { row.Kind, row.Value }, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return new BlacklistItem(row.Id, row.Kind, row.Value, row.CreatedAt);
    }

    public async Task<bool> RemoveFromBlacklistAsync(WorkspaceMembership access, Guid id, CancellationToken cancellationToken)
    {
        var row = await db.Set<BlacklistEntry>().SingleOrDefaultAsync(b => b.WorkspaceId == access.WorkspaceId && b.Id == id, cancellationToken);
        if (row is null)
        {
            return false;
        }
        db.Remove(row);
        audit.Record("tickets.blacklist.removed", $"workspaces/{access.WorkspaceId}", new { row.Kind, row.Value }, null, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Whether the contact's email or phone is on the current workspace's blacklist.</summary>
    public async Task<bool> BlacklistedAsync(string? email, string? phone, CancellationToken cancellationToken)
    {
        var values = new[] { Normalize(email)?.Value, Normalize(phone)?.Value }.OfType<string>().ToList();
        return values.Count > 0 && await db.Set<BlacklistEntry>().AnyAsync(b => values.Contains(b.Value), cancellationToken);
    }

    internal static (string Kind, string Value)? Normalize(string? value)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > 254)
        {
            return null;
        }
        if (text.Contains('@', StringComparison.Ordinal))
        {
            var email = text.ToLowerInvariant();
            return EmailAddresses.IsValid(email) ? ("email", email) : null;
        }
        return PhoneNumbers.Normalize(text) is { } phone ? ("phone", phone) : null;
    }

    // The row exists from the first ticket or setting on: inserted once, whoever comes first.
    private Task<int> EnsureAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"""INSERT INTO "TicketSettings" ("WorkspaceId", "Prefix", "LastNumber", "InboundAsTicket", "AutoCloseBlacklisted", "EditInProgressRoles", "EditResolvedRoles", "RulesMatch") VALUES ({workspaceId}, {"CS"}, {0L}, {false}, {false}, {DefaultInProgress}, {WorkspaceRoles.Supervisor}, {RuleMatch.First}) ON CONFLICT DO NOTHING""",
            cancellationToken);

    private static readonly string DefaultInProgress = new TicketSettings().EditInProgressRoles;

    private static string[] Roles(string stored) => stored.Split(',', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex("^[A-Z][A-Z0-9]{0,9}$")]
    private static partial Regex PrefixPattern();
}
