using Layan.Features.Workspaces;
using Layan.Infrastructure;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Tickets;

/// <summary>
/// TKT-1: a member's saved ticket list — a name for a set of filters, theirs alone, or shared with
/// everyone in the workspace by a Supervisor or Administrator (a shared view's "me" is whoever reads it).
/// </summary>
internal sealed class TicketView : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public Guid UserId { get; init; }

    public required string Name { get; set; }

    public string? Status { get; set; }

    public string? Priority { get; set; }

    public string? Assignee { get; set; }

    public bool Breached { get; set; }

    public string? Search { get; set; }

    public bool Shared { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public TicketFilter ToFilter() => new(Status, Priority, Assignee, Breached, Search);
}

internal sealed class TicketViewConfiguration : IEntityTypeConfiguration<TicketView>
{
    public void Configure(EntityTypeBuilder<TicketView> builder)
    {
        builder.ToTable("TicketViews");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Name).HasMaxLength(100);
        builder.Property(v => v.Status).HasMaxLength(30);
        builder.Property(v => v.Priority).HasMaxLength(10);
        builder.Property(v => v.Assignee).HasMaxLength(40);
        builder.Property(v => v.Search).HasMaxLength(200);
        builder.Property(v => v.Shared).HasDefaultValue(false);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(v => v.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.User>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(v => new { v.WorkspaceId, v.UserId, v.Name }).IsUnique();
        builder.HasIndex(v => v.UserId);
    }
}

/// <summary>A view as its reader sees it: <see cref="Mine"/> when they saved it, <see cref="Shared"/> when the whole workspace sees it.</summary>
internal sealed record TicketViewItem(Guid Id, string Name, TicketFilter Filter, bool Shared, bool Mine);

internal sealed record ViewInput(string? Name, string? Status, string? Priority, string? Assignee, bool Breached, string? Search, bool Shared = false);

/// <summary>What a bulk change asks of each ticket; the same fields as a single change.</summary>
internal sealed record BulkInput(IReadOnlyList<long>? Numbers, string? Status, string? Priority, Guid? AssigneeId, bool Unassign);

internal sealed record BulkFailure(long Number, string Code);

internal sealed record BulkResult(IReadOnlyList<long> Changed, IReadOnlyList<BulkFailure> Failed);

/// <summary>
/// TKT-1's saved views (per member, or shared by those who manage tickets) and bulk actions. A bulk change is checked as a whole first
/// (a wrong status or assignee changes nothing); then each ticket is changed in its own
/// transaction with the single-ticket rules (Ticket Access, timeline, SLA), and the tickets that
/// could not be changed are named with the reason.
/// </summary>
internal sealed class TicketViews(LayanDbContext db, Tickets tickets, TimeProvider clock)
{
    public const int MaxBulk = 100;

    /// <summary>My views, then the workspace's shared ones, each by name.</summary>
    public async Task<IReadOnlyList<TicketViewItem>> ListAsync(WorkspaceMembership access, CancellationToken cancellationToken) =>
        [.. (await db.Set<TicketView>().Where(v => v.WorkspaceId == access.WorkspaceId && (v.UserId == access.Member.UserId || v.Shared))
                .OrderBy(v => v.UserId != access.Member.UserId).ThenBy(v => v.Name).ToListAsync(cancellationToken))
            .Select(v => Item(access, v))];

    private static TicketViewItem Item(WorkspaceMembership access, TicketView v) => new(v.Id, v.Name, v.ToFilter(), v.Shared, v.UserId == access.Member.UserId);

    public async Task<Result<TicketViewItem>> SaveAsync(WorkspaceMembership access, ViewInput input, CancellationToken cancellationToken)
    {
        var name = input.Name?.Trim();
        var errors = new List<Failure>();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            errors.Add(new Failure(TicketErrors.ViewNameRequired, "name"));
        }
        if (input.Status is { Length: > 0 } status && status != "active" && !TicketStatus.All.Contains(status))
        {
            errors.Add(new Failure(TicketErrors.StatusInvalid, "status"));
        }
        if (input.Priority is { Length: > 0 } priority && !TicketPriority.All.Contains(priority))
        {
            errors.Add(new Failure(TicketErrors.PriorityInvalid, "priority"));
        }
        if (input.Assignee is { Length: > 0 } assignee && assignee is not ("me" or "none") && !Guid.TryParse(assignee, out _))
        {
            errors.Add(new Failure(TicketErrors.AssigneeUnknown, "assignee"));
        }
        if (input.Shared && !access.Can(WorkspaceActions.ManageTickets))
        {
            errors.Add(new Failure(TicketErrors.ViewShareDenied, "shared"));
        }
        if (input.Search?.Length > 200)
        {
            errors.Add(new Failure(TicketErrors.SearchTooLong, "search"));
        }
        // One's own names are one's own; a shared name is the workspace's (two "Team queue" views would be one too many).
        if (errors.Count == 0 && await db.Set<TicketView>().AnyAsync(
            v => v.WorkspaceId == access.WorkspaceId && v.Name == name && (v.UserId == access.Member.UserId || (input.Shared && v.Shared)), cancellationToken))
        {
            errors.Add(new Failure(TicketErrors.ViewNameTaken, "name"));
        }
        if (errors.Count > 0)
        {
            return Result<TicketViewItem>.Failed(errors);
        }
        var view = new TicketView
        {
            UserId = access.Member.UserId,
            Name = name!,
            Status = Blank(input.Status),
            Priority = Blank(input.Priority),
            Assignee = Blank(input.Assignee),
            Breached = input.Breached,
            Search = Blank(input.Search),
            Shared = input.Shared,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Add(view);
        await db.SaveChangesAsync(cancellationToken);
        return Item(access, view);
    }

    /// <summary>
    /// Deletes one of my views, or a shared one when I manage tickets. Null: no such view here (or
    /// another member's own); a Failure: a shared view I may read but not delete.
    /// </summary>
    public async Task<Result<bool>?> DeleteAsync(WorkspaceMembership access, Guid id, CancellationToken cancellationToken)
    {
        var view = await db.Set<TicketView>().SingleOrDefaultAsync(v => v.WorkspaceId == access.WorkspaceId && v.Id == id && (v.UserId == access.Member.UserId || v.Shared), cancellationToken);
        if (view is null)
        {
            return null;
        }
        if (view.UserId != access.Member.UserId && !access.Can(WorkspaceActions.ManageTickets))
        {
            return new Failure(TicketErrors.ViewShareDenied, "shared");
        }
        db.Remove(view);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<Result<BulkResult>> BulkAsync(WorkspaceMembership access, BulkInput input, CancellationToken cancellationToken)
    {
        var numbers = input.Numbers?.Distinct().ToList() ?? [];
        if (numbers.Count is 0 or > MaxBulk)
        {
            return new Failure(TicketErrors.BulkInvalid, "numbers");
        }
        var change = new TicketInput(Status: Blank(input.Status), Priority: Blank(input.Priority), AssigneeId: input.AssigneeId, ClearAssignee: input.Unassign);
        if (change == new TicketInput())
        {
            return new Failure(TicketErrors.BulkInvalid, "numbers");
        }
        // The change itself is checked before any ticket is touched (the first number only stands in for "a ticket").
        var known = await db.Set<Ticket>().Where(t => t.WorkspaceId == access.WorkspaceId && numbers.Contains(t.Number)).Select(t => t.Number).ToListAsync(cancellationToken);
        var invalid = await tickets.CheckChangeAsync(access, change, cancellationToken);
        if (invalid.Count > 0)
        {
            return Result<BulkResult>.Failed(invalid);
        }
        var changed = new List<long>();
        var failed = numbers.Where(n => !known.Contains(n)).Select(n => new BulkFailure(n, TicketErrors.TicketUnknown)).ToList();
        foreach (var number in known.Order())
        {
            db.ChangeTracker.Clear();
            var result = await tickets.UpdateAsync(access, number, change, cancellationToken);
            if (result is { Succeeded: true })
            {
                changed.Add(number);
            }
            else
            {
                failed.Add(new BulkFailure(number, result?.Errors[0].Code ?? TicketErrors.TicketUnknown));
            }
        }
        return new BulkResult(changed, failed);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
