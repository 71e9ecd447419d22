using System.Text.Json;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Layan.Features.Tickets.Sla;

/// <summary>TKT-6's targets: what a policy promises.</summary>
internal static class SlaTargets
{
    public const string FirstResponse = "first_response";
    public const string NextResponse = "next_response";
    public const string Restore = "restore";
    public const string Resolve = "resolve";

    public static IReadOnlyList<string> All { get; } = [FirstResponse, NextResponse, Restore, Resolve];
}

/// <summary>One line of a policy: the target, for which severity and/or priority (null: any), how much and in which unit.</summary>
internal sealed record PolicyTarget(string Target, int? Severity, string? Priority, int Amount, string Unit)
{
    public bool Applies(string target, int severity, string priority) =>
        Target == target && (Severity is null || Severity == severity) && (Priority is null || Priority == priority);

    public SlaTarget ToTarget() => new(Amount, SlaPreview.Named<SlaUnit>(Unit)!.Value);
}

/// <summary>TKT-6: a business calendar of the workspace, stored in the preview's own shape.</summary>
internal sealed class SlaCalendar : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public required string Name { get; set; }

    /// <summary>JSON of <see cref="SlaPreviewCalendar"/>: IANA zone, weekly hours, holidays as local dates.</summary>
    public required string Definition { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public SlaPreviewCalendar Parsed() => JsonSerializer.Deserialize<SlaPreviewCalendar>(Definition, JsonSerializerOptions.Web)!;

    /// <summary>The calendar to count with (validated when stored).</summary>
    public BusinessCalendar ToCalendar() => SlaPreview.ParseCalendar(Parsed(), [])!;
}

/// <summary>TKT-6: targets per severity and/or priority, counted on the policy's calendar (none: 24x7).</summary>
internal sealed class SlaPolicy : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public required string Name { get; set; }

    public Guid? CalendarId { get; set; }

    /// <summary>JSON list of <see cref="PolicyTarget"/>; the first line that applies wins.</summary>
    public string Targets { get; set; } = "[]";

    /// <summary>Warn this many minutes before a due (0: no warning).</summary>
    public int WarnMinutes { get; set; }

    /// <summary>Comma-separated targets whose clocks stop while the ticket is pending the customer.</summary>
    public string PausedWhilePending { get; set; } = $"{SlaTargets.NextResponse},{SlaTargets.Restore},{SlaTargets.Resolve}";

    /// <summary>New tickets get the default policy.</summary>
    public bool IsDefault { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<PolicyTarget> TargetList() => JsonSerializer.Deserialize<List<PolicyTarget>>(Targets, JsonSerializerOptions.Web) ?? [];

    public bool Pauses(string target) => PausedWhilePending.Split(',').Contains(target);
}

/// <summary>
/// One target's clock on one ticket, for one cycle (a reopen starts a new resolve cycle, each
/// customer message after a response a new next-response cycle). Warning and breach are recorded
/// once per (ticket, target, cycle) and never undone.
/// </summary>
internal sealed class TicketSlaClock : IWorkspaceOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid WorkspaceId { get; set; }

    public Guid TicketId { get; init; }

    public required string Target { get; init; }

    public int Cycle { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>JSON list of the closed pauses (<see cref="Pause"/>).</summary>
    public string Pauses { get; set; } = "[]";

    /// <summary>Set while the clock is held (pending the customer).</summary>
    public DateTimeOffset? PausedSince { get; set; }

    /// <summary>When it falls due, counting the pauses; null while paused, met or stopped.</summary>
    public DateTimeOffset? DueAt { get; set; }

    public DateTimeOffset? MetAt { get; set; }

    /// <summary>When its warning falls due (the policy's lead before <see cref="DueAt"/>); null when there is none to send.</summary>
    public DateTimeOffset? WarnAt { get; set; }

    public DateTimeOffset? WarnedAt { get; set; }

    public DateTimeOffset? BreachedAt { get; set; }

    /// <summary>No longer applies (the policy or the ticket's severity changed, the ticket was closed before it was met).</summary>
    public bool Stopped { get; set; }

    public bool Running => MetAt is null && !Stopped;

    public List<Pause> PauseList() => JsonSerializer.Deserialize<List<Pause>>(Pauses, JsonSerializerOptions.Web) ?? [];

    /// <summary>At most this many pauses are kept apart (well inside the column's 20,000 characters).</summary>
    public const int MaxPauses = 200;

    /// <summary>
    /// Records a closed pause. Past <see cref="MaxPauses"/> the two oldest become one, from the first's
    /// start to the second's end: the running time between them then counts as held (the customer's
    /// favour, never a breach sooner), and a ticket held hundreds of times still saves.
    /// </summary>
    public void AddPause(Pause pause)
    {
        var pauses = PauseList();
        pauses.Add(pause);
        Pauses = JsonSerializer.Serialize(Bounded(pauses), JsonSerializerOptions.Web);
    }

    internal static List<Pause> Bounded(List<Pause> pauses)
    {
        while (pauses.Count > MaxPauses)
        {
            pauses[1] = new Pause(pauses[0].From, pauses[1].To);
            pauses.RemoveAt(0);
        }
        return pauses;
    }
}

/// <summary>TKT-6: a department whose tickets count business time on a calendar of its own instead of their policy's.</summary>
internal sealed class DepartmentCalendar : IWorkspaceOwned
{
    public Guid DepartmentId { get; init; }

    public Guid WorkspaceId { get; set; }

    public Guid CalendarId { get; set; }
}

internal sealed class DepartmentCalendarConfiguration : IEntityTypeConfiguration<DepartmentCalendar>
{
    public void Configure(EntityTypeBuilder<DepartmentCalendar> builder)
    {
        builder.ToTable("SlaDepartmentCalendars");
        builder.HasKey(d => d.DepartmentId);
        builder.HasOne<Department>().WithOne().HasForeignKey<DepartmentCalendar>(d => d.DepartmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<SlaCalendar>().WithMany().HasForeignKey(d => d.CalendarId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(d => d.CalendarId);
    }
}

internal sealed class SlaCalendarConfiguration : IEntityTypeConfiguration<SlaCalendar>
{
    public void Configure(EntityTypeBuilder<SlaCalendar> builder)
    {
        builder.ToTable("SlaCalendars");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.Definition).HasMaxLength(20_000);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.WorkspaceId, c.Name }).IsUnique();
    }
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> builder)
    {
        builder.ToTable("SlaPolicies");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(100);
        builder.Property(p => p.Targets).HasMaxLength(20_000);
        builder.Property(p => p.PausedWhilePending).HasMaxLength(100);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<SlaCalendar>().WithMany().HasForeignKey(p => p.CalendarId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(p => new { p.WorkspaceId, p.Name }).IsUnique();
        builder.HasIndex(p => p.CalendarId);
    }
}

internal sealed class TicketSlaClockConfiguration : IEntityTypeConfiguration<TicketSlaClock>
{
    public void Configure(EntityTypeBuilder<TicketSlaClock> builder)
    {
        builder.ToTable("TicketSlaClocks");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Target).HasMaxLength(20);
        builder.Property(c => c.Pauses).HasMaxLength(20_000);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.TicketId, c.Target, c.Cycle }).IsUnique();
        builder.HasIndex(c => new { c.WorkspaceId, c.DueAt });
        builder.HasIndex(c => new { c.WorkspaceId, c.WarnAt }).HasFilter("\"WarnAt\" IS NOT NULL");
        builder.Ignore(c => c.Running);
    }
}
