using Layan.Features.Accounts;
using Layan.Features.Onboarding;
using Layan.Infrastructure;
using Layan.Infrastructure.Audit;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Email;
using Layan.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Layan.Features.Workspaces;

/// <summary>
/// WS-1: an invitation to join a workspace with a role; its link works once, for 7 days, for the
/// invited address. Found by its token before anyone is in the workspace, so it is not filtered to
/// the current workspace; every other read names the workspace.
/// </summary>
internal sealed class Invitation
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    /// <summary>The invited address, normalized (upper case).</summary>
    public required string Email { get; init; }

    public required string Role { get; init; }

    public required string TokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public Guid InvitedBy { get; init; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.ToTable("Invitations");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.Role).HasMaxLength(20);
        builder.Property(i => i.TokenHash).HasMaxLength(64);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(i => i.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.HasIndex(i => new { i.WorkspaceId, i.Email });
    }
}

internal static class TeamErrors
{
    public const string EmailInvalid = "email_invalid";
    public const string RoleInvalid = "role_invalid";
    public const string MemberExists = "member_exists";
    public const string InvitationInvalid = "invitation_invalid";
    public const string InvitationEmailMismatch = "invitation_email_mismatch";
    public const string LastAdministrator = "last_administrator";
}

/// <summary>A member as the team page lists them.</summary>
internal sealed record MemberItem(Guid Id, Guid UserId, string FullName, string Email, string Role, bool Active, DateTimeOffset JoinedAt);

internal sealed record InvitationItem(Guid Id, string Email, string Role, DateTimeOffset ExpiresAt);

internal sealed record TeamList(IReadOnlyList<MemberItem> Members, int Total, int Page, int PageSize, IReadOnlyList<InvitationItem> Invitations);

/// <summary>
/// WS-1 Manage Team: invite by email with a role (the link works once, for 7 days, and is
/// accepted by the invited address, new or existing account), change roles, deactivate and
/// reactivate. A workspace always keeps at least one active Administrator. Every change is in the
/// audit log with before and after.
/// </summary>
internal sealed class Team(
    LayanDbContext db,
    AuditLog audit,
    Infrastructure.Tenancy.TenantContext tenant,
    Realtime.EventLog events,
    Mailer mailer,
    IStringLocalizer<OnboardingResource> strings,
    IOptions<PublicUrlOptions> publicUrl,
    TimeProvider clock)
{
    public const int PageSize = 50;
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    public async Task<TeamList> ListAsync(WorkspaceMembership access, int page, CancellationToken cancellationToken)
    {
        page = Math.Max(page, 1);
        var members = from m in db.Set<WorkspaceMember>()
                      join u in db.Set<User>() on m.UserId equals u.Id
                      where m.WorkspaceId == access.WorkspaceId
                      orderby u.FullName, u.Id
                      select new MemberItem(m.Id, u.Id, u.FullName, u.Email!, m.Role, m.Active, m.JoinedAt);
        var now = clock.GetUtcNow();
        var invitations = access.Can(WorkspaceActions.ManageTeam)
            ? await db.Set<Invitation>()
                .Where(i => i.WorkspaceId == access.WorkspaceId && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
                .OrderBy(i => i.CreatedAt)
                .Select(i => new InvitationItem(i.Id, i.Email, i.Role, i.ExpiresAt))
                .ToListAsync(cancellationToken)
            : [];
        return new TeamList(
            await members.Skip((page - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken), await members.CountAsync(cancellationToken),
            page, PageSize, invitations);
    }

    public async Task<Result<InvitationItem>> InviteAsync(WorkspaceMembership access, string? email, string? role, CancellationToken cancellationToken)
    {
        var address = email?.Trim();
        if (!EmailAddresses.IsValid(address))
        {
            return new Failure(TeamErrors.EmailInvalid, "email");
        }
        if (!WorkspaceRoles.All.Contains(role))
        {
            return new Failure(TeamErrors.RoleInvalid, "role");
        }
        var normalized = EmailAddresses.Normalize(address!);
        var isMember = await (from m in db.Set<WorkspaceMember>()
                              join u in db.Set<User>() on m.UserId equals u.Id
                              where m.WorkspaceId == access.WorkspaceId && u.NormalizedEmail == normalized && m.Active
                              select m.Id).AnyAsync(cancellationToken);
        if (isMember)
        {
            return new Failure(TeamErrors.MemberExists, "email");
        }
        var now = clock.GetUtcNow();
        // One live invitation per address: a new one replaces the last.
        await db.Set<Invitation>()
            .Where(i => i.WorkspaceId == access.WorkspaceId && i.Email == normalized && i.AcceptedAt == null && i.RevokedAt == null)
            .ForEachAsync(i => i.RevokedAt = now, cancellationToken);
        var token = Secrets.NewToken();
        var invitation = new Invitation
        {
            WorkspaceId = access.WorkspaceId,
            Email = normalized,
            Role = role!,
            TokenHash = Secrets.Hash(token),
            CreatedAt = now,
            ExpiresAt = now + InvitationLifetime,
            InvitedBy = access.Member.UserId,
        };
        db.Add(invitation);
        var inviter = await db.Set<User>().AsNoTracking().SingleAsync(u => u.Id == access.Member.UserId, cancellationToken);
        mailer.Queue(new EmailTemplate(strings, "Invitation"), address!, access.Workspace.DefaultLanguage, new Dictionary<string, string>
        {
            ["inviter"] = inviter.FullName,
            ["workspace"] = access.Workspace.Name,
            ["role"] = strings[$"Role.{role}"],
            ["days"] = ((int)InvitationLifetime.TotalDays).ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Mailer.ActionUrl] = publicUrl.Value.Link($"/invitations/accept?token={token}"),
        });
        audit.Record("team.invited", $"invitations/{invitation.Id}", null, new { Email = normalized, Role = role }, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return new InvitationItem(invitation.Id, normalized, invitation.Role, invitation.ExpiresAt);
    }

    public async Task<bool> RevokeInvitationAsync(WorkspaceMembership access, Guid invitationId, CancellationToken cancellationToken)
    {
        var invitation = await db.Set<Invitation>().SingleOrDefaultAsync(
            i => i.Id == invitationId && i.WorkspaceId == access.WorkspaceId && i.AcceptedAt == null && i.RevokedAt == null, cancellationToken);
        if (invitation is null)
        {
            return false;
        }
        invitation.RevokedAt = clock.GetUtcNow();
        audit.Record("team.invitation_revoked", $"invitations/{invitation.Id}", new { invitation.Email, invitation.Role }, null, actorId: access.Member.UserId.ToString());
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// The invited person (signed in with the invited address, verified) joins with the role; a
    /// deactivated former member is reactivated. The link then stops working.
    /// </summary>
    public async Task<Result<WorkspaceSummary>> AcceptAsync(Guid userId, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100)
        {
            return new Failure(TeamErrors.InvitationInvalid, "token");
        }
        var now = clock.GetUtcNow();
        var hash = Secrets.Hash(token.Trim());
        var invitation = await db.Set<Invitation>().SingleOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        if (invitation is null || invitation.AcceptedAt is not null || invitation.RevokedAt is not null || invitation.ExpiresAt <= now)
        {
            return new Failure(TeamErrors.InvitationInvalid, "token");
        }
        var user = await db.Set<User>().SingleAsync(u => u.Id == userId, cancellationToken);
        if (user.NormalizedEmail != invitation.Email || !user.EmailConfirmed)
        {
            return new Failure(TeamErrors.InvitationEmailMismatch, "token");
        }
        var workspace = await db.Set<Workspace>().SingleAsync(w => w.Id == invitation.WorkspaceId, cancellationToken);
        var member = await db.Set<WorkspaceMember>().SingleOrDefaultAsync(m => m.WorkspaceId == workspace.Id && m.UserId == userId, cancellationToken);
        if (member is null)
        {
            member = new WorkspaceMember { WorkspaceId = workspace.Id, UserId = userId, Role = invitation.Role, JoinedAt = now };
            db.Add(member);
        }
        else if (member.Active)
        {
            return new Failure(TeamErrors.MemberExists, "token"); // an old link cannot change a member's role
        }
        else
        {
            (member.Role, member.Active) = (invitation.Role, true);
        }
        invitation.AcceptedAt = now;
        audit.Record("team.joined", $"members/{member.Id}", null, new { member.Role }, actorId: userId.ToString(), workspaceId: workspace.Id);
        tenant.Enter(workspace.Id);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await events.AppendAsync("member.joined", new { memberId = member.Id, userId, member.Role }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new Failure(TeamErrors.InvitationInvalid, "token"); // accepted at the same instant in another tab
        }
        return new WorkspaceSummary(workspace.Id, workspace.Name, workspace.Type, workspace.Country, workspace.Status, member.Role);
    }

    public Task<Result<MemberItem>?> ChangeRoleAsync(WorkspaceMembership access, Guid memberId, string? role, CancellationToken cancellationToken) =>
        ChangeMemberAsync(access, memberId, "team.role_changed", member =>
        {
            if (!WorkspaceRoles.All.Contains(role))
            {
                return new Failure(TeamErrors.RoleInvalid, "role");
            }
            member.Role = role!;
            return null;
        }, cancellationToken);

    public Task<Result<MemberItem>?> SetActiveAsync(WorkspaceMembership access, Guid memberId, bool active, CancellationToken cancellationToken) =>
        ChangeMemberAsync(access, memberId, active ? "team.reactivated" : "team.deactivated", member =>
        {
            member.Active = active;
            return null;
        }, cancellationToken);

    // One change to one member, refused when it would leave no active Administrator. The
    // administrators are counted inside the transaction that saves the change.
    private async Task<Result<MemberItem>?> ChangeMemberAsync(
        WorkspaceMembership access, Guid memberId, string action, Func<WorkspaceMember, Failure?> change, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockWorkspaceAsync(access.WorkspaceId, cancellationToken);
        var member = await db.Set<WorkspaceMember>().SingleOrDefaultAsync(m => m.Id == memberId && m.WorkspaceId == access.WorkspaceId, cancellationToken);
        if (member is null)
        {
            return null;
        }
        var before = new { member.Role, member.Active };
        if (change(member) is { } refused)
        {
            await db.Entry(member).ReloadAsync(cancellationToken);
            return refused;
        }
        var administrators = await db.Set<WorkspaceMember>()
            .CountAsync(m => m.WorkspaceId == access.WorkspaceId && m.Active && m.Role == WorkspaceRoles.Administrator && m.Id != member.Id, cancellationToken);
        if (administrators == 0 && !(member.Active && member.Role == WorkspaceRoles.Administrator))
        {
            await db.Entry(member).ReloadAsync(cancellationToken);
            return new Failure(TeamErrors.LastAdministrator, "role");
        }
        audit.Record(action, $"members/{member.Id}", before, new { member.Role, member.Active }, actorId: access.Member.UserId.ToString());
        // An invitation still pending for this person would undo the change later: it goes.
        var email = await db.Set<Accounts.User>().Where(u => u.Id == member.UserId).Select(u => u.NormalizedEmail).SingleAsync(cancellationToken);
        var now = clock.GetUtcNow();
        await db.Set<Invitation>()
            .Where(i => i.WorkspaceId == access.WorkspaceId && i.Email == email && i.AcceptedAt == null && i.RevokedAt == null)
            .ForEachAsync(i => i.RevokedAt = now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await events.AppendAsync("member.updated", new { memberId = member.Id, member.UserId, member.Role, member.Active }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var user = await db.Set<User>().AsNoTracking().SingleAsync(u => u.Id == member.UserId, cancellationToken);
        return new MemberItem(member.Id, user.Id, user.FullName, user.Email!, member.Role, member.Active, member.JoinedAt);
    }
}
