using System.Text.Json;
using Layan.Features.Accounts;
using Layan.Features.Realtime;
using Layan.Features.Workspaces;
using Layan.Infrastructure.Db;
using Layan.Infrastructure.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Layan.Features.Inbox;

/// <summary>Section <c>Inbox</c>.</summary>
internal sealed class InboxOptions
{
    public const string Section = "Inbox";

    /// <summary>How long after its last heartbeat an agent still counts as online (mobile browsers pause timers).</summary>
    public TimeSpan PresenceGrace { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>The periodic sweep: queued conversations, snoozes that end, presence, self-healing.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Widget attachments (images and PDF).</summary>
    public long MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;
}

/// <summary>What started a routing pass (stored on each decision).</summary>
internal static class RoutingTriggers
{
    public const string NewConversation = "new_conversation";
    public const string AgentFreed = "agent_freed";
    public const string AgentOnline = "agent_online";
    public const string Settings = "settings";
    public const string Sweep = "sweep";
    public const string Reassign = "reassign";
}

/// <summary>
/// The capacity-aware load counters (INB-3). Every change is one conditional UPDATE inside the
/// caller's transaction, so an agent is never taken past capacity even by two nodes routing two
/// departments at once: the second increment finds the row full and changes nothing.
/// </summary>
internal sealed class AgentLoad(LayanDbContext db, TenantContext tenant)
{
    /// <summary>Makes sure the agent has a state row (offline, empty) so conditional updates have something to match.</summary>
    public Task EnsureAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO "AgentStates" ("WorkspaceId", "UserId", "Presence", "OpenCount", "LastAssignedSeq", "SoundOnMessage", "SoundOnAssignment", "BrowserNotifications", "EmailOnAssignment", "EmailOnMention", "EmailOnSlaWarning", "EmailOnSlaBreach")
            VALUES ({Workspace}, {userId}, {PresenceStatus.Offline}, 0, 0, {Sounds.Chime}, {Sounds.Bell}, {true}, {true}, {true}, {true}, {true}) ON CONFLICT DO NOTHING
            """,
            cancellationToken);

    /// <summary>One more open conversation for the agent, unless that would pass their capacity; false when full.</summary>
    public async Task<bool> TryAddAsync(Guid userId, int defaultCapacity, long sequence, CancellationToken cancellationToken, bool ensure = true)
    {
        if (ensure)
        {
            await EnsureAsync(userId, cancellationToken);
        }
        var workspaceId = Workspace;
        return await db.Set<AgentState>()
            .Where(a => a.WorkspaceId == workspaceId && a.UserId == userId && a.OpenCount < (a.Capacity ?? defaultCapacity))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.OpenCount, a => a.OpenCount + 1).SetProperty(a => a.LastAssignedSeq, sequence), cancellationToken) == 1;
    }

    /// <summary>One open conversation fewer (resolved, snoozed, unassigned, transferred away).</summary>
    public Task ReleaseAsync(Guid userId, CancellationToken cancellationToken)
    {
        var workspaceId = Workspace;
        return db.Set<AgentState>().Where(a => a.WorkspaceId == workspaceId && a.UserId == userId && a.OpenCount > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.OpenCount, a => a.OpenCount - 1), cancellationToken);
    }

    /// <summary>The next number for <see cref="AgentState.LastAssignedSeq"/>.</summary>
    public async Task<long> NextSequenceAsync(CancellationToken cancellationToken)
    {
        var workspaceId = Workspace;
        return (await db.Set<AgentState>().Where(a => a.WorkspaceId == workspaceId).MaxAsync(a => (long?)a.LastAssignedSeq, cancellationToken) ?? 0) + 1;
    }

    /// <summary>The nightly safety net: every counter recounted from the conversations themselves.</summary>
    public async Task<int> RebuildAsync(CancellationToken cancellationToken)
    {
        var workspaceId = Workspace;
        var counts = await db.Set<Conversation>()
            .Where(c => c.WorkspaceId == workspaceId && c.AssigneeId != null && (c.Status == ConversationStatus.Open || c.Status == ConversationStatus.Pending))
            .GroupBy(c => c.AssigneeId!.Value).Select(g => new { UserId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.UserId, g => g.Count, cancellationToken);
        var fixedRows = 0;
        foreach (var state in await db.Set<AgentState>().Where(a => a.WorkspaceId == workspaceId).ToListAsync(cancellationToken))
        {
            var actual = counts.GetValueOrDefault(state.UserId);
            if (state.OpenCount != actual)
            {
                state.OpenCount = actual;
                fixedRows++;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return fixedRows;
    }

    private Guid Workspace => tenant.WorkspaceId ?? throw new InvalidOperationException("Enter a workspace first.");
}

/// <summary>
/// INB-3, INB-4: drains a department's queue (highest priority, then earliest first) onto its
/// online agents under capacity. One pass per department at a time: a PostgreSQL advisory lock
/// (per department, held to the end of the transaction) serializes the nodes; SQLite's write
/// lock does the same for the embedded default. Each assignment is a conditional UPDATE (still
/// unassigned, still open), so a manual take racing the router cannot make two owners. Every
/// decision is stored with its explanation (★).
/// </summary>
internal sealed partial class Router(
    LayanDbContext db, TenantContext tenant, Entitlements entitlements, AgentLoad load, EventLog events,
    IOptions<InboxOptions> options, TimeProvider clock, ILogger<Router> logger)
{
    private const int MaxPerPass = 200;

    /// <summary>
    /// A routing pass started by a change that is already committed: if it fails, the change still
    /// stands (the visitor's chat exists, the status changed) and the sweep routes the queue later.
    /// </summary>
    public async Task TriggerAsync(Func<Task> pass, string trigger)
    {
        try
        {
            await pass();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            db.ChangeTracker.Clear();
            LogTriggerFailed(logger, e, trigger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A routing pass ({Trigger}) failed; the sweep routes the queue later.")]
    private static partial void LogTriggerFailed(ILogger logger, Exception exception, string trigger);

    /// <summary>The mode in effect: the chosen one while Distribute Chat counts, else Open Assignment.</summary>
    public async Task<string> EffectiveModeAsync(Workspace workspace, CancellationToken cancellationToken) =>
        workspace.RoutingMode != RoutingModes.OpenAssignment && await entitlements.SubscribedAsync(workspace.Id, PlanFeatures.DistributeChat, cancellationToken)
            ? workspace.RoutingMode
            : RoutingModes.OpenAssignment;

    /// <summary>Routes the department's queue; returns how many conversations were assigned.</summary>
    public Task<int> RouteAsync(Guid departmentId, string trigger, CancellationToken cancellationToken) =>
        RouteAsync(departmentId, trigger, MaxPerPass, cancellationToken);

    /// <summary>Routes at most <paramref name="limit"/> conversations of the department's queue.</summary>
    public async Task<int> RouteAsync(Guid departmentId, string trigger, int limit, CancellationToken cancellationToken)
    {
        var workspaceId = tenant.WorkspaceId ?? throw new InvalidOperationException("Enter a workspace first.");
        var workspace = await db.Set<Workspace>().AsNoTracking().SingleAsync(w => w.Id == workspaceId, cancellationToken);
        var mode = await EffectiveModeAsync(workspace, cancellationToken);
        if (mode == RoutingModes.OpenAssignment)
        {
            return 0;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"route:" + departmentId.ToString("N")}, 0))", cancellationToken);
        }
        var queue = await db.Set<Conversation>()
            .Where(c => c.DepartmentId == departmentId && c.QueuedAt != null && c.AssigneeId == null && c.Status == ConversationStatus.Open)
            .OrderByDescending(c => c.Priority).ThenBy(c => c.QueuedAt).ThenBy(c => c.Id)
            .Select(c => new { c.Id, c.ReassignedFrom }).Take(Math.Clamp(limit, 1, MaxPerPass)).ToListAsync(cancellationToken);
        if (queue.Count == 0)
        {
            return 0;
        }
        var candidates = await CandidatesAsync(workspace, departmentId, cancellationToken);
        var sequence = await load.NextSequenceAsync(cancellationToken);
        var pending = new List<(string Type, object Data)>();
        var pass = new Pass(workspace, departmentId, mode, trigger, [.. queue.Select(q => (q.Id, q.ReassignedFrom))], candidates, sequence, pending);
        var assigned = (queue.Count > 1 && db.Database.IsNpgsql() ? await AtOnceAsync(pass, cancellationToken) : null) ?? await OneByOneAsync(pass, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await events.AppendManyAsync(pending, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return assigned;
    }

    // One routing pass of a department: what it read under the lock, and the events it makes.
    private sealed record Pass(
        Workspace Workspace, Guid DepartmentId, string Mode, string Trigger, IReadOnlyList<(Guid Id, Guid? ReassignedFrom)> Queue,
        List<Candidate> Candidates, long Sequence, List<(string Type, object Data)> Events);

    // Each conversation's choice made on the counts as they are after the ones before it.
    private static (List<(Guid Conversation, Guid Winner, RoutingExplanation Explanation)> Plan, (Guid Conversation, RoutingExplanation Explanation)? Waiting) Plan(Pass pass)
    {
        var plan = new List<(Guid Conversation, Guid Winner, RoutingExplanation Explanation)>();
        var candidates = pass.Candidates;
        foreach (var (id, reassignedFrom) in pass.Queue)
        {
            var explanation = RoutingChoice.Choose(pass.Mode, [.. candidates.Select(c => c with { Previous = c.UserId == reassignedFrom })]);
            if (explanation.WinnerId is not { } winner)
            {
                return (plan, (id, explanation));
            }
            plan.Add((id, winner, explanation));
            var seq = pass.Sequence + plan.Count - 1;
            candidates = Replace(candidates, winner, c => c with { Open = c.Open + 1, LastAssignedSeq = seq });
        }
        return (plan, null);
    }

    /// <summary>
    /// PostgreSQL, a queue of more than one: the pass is planned in memory and applied with one
    /// statement per table (every load counter of the plan under its capacity, every conversation
    /// still unassigned and open). If any row no longer holds (another department's pass filled an
    /// agent, someone took a conversation) the pass is undone to a savepoint and made one by one
    /// instead; null then.
    /// </summary>
    private async Task<int?> AtOnceAsync(Pass pass, CancellationToken cancellationToken)
    {
        var (plan, waiting) = Plan(pass);
        if (plan.Count == 0)
        {
            return null;
        }
        const string Savepoint = "route_at_once";
        var transaction = db.Database.CurrentTransaction!;
        await transaction.CreateSavepointAsync(Savepoint, cancellationToken);
        var loads = plan.Select((p, i) => (p.Winner, Seq: pass.Sequence + i)).GroupBy(p => p.Winner)
            .Select(g => (UserId: g.Key, Count: g.Count(), Seq: g.Max(p => p.Seq))).ToList();
        var workspaceId = pass.Workspace.Id;
        var loaded = await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            UPDATE "AgentStates" AS a SET "OpenCount" = a."OpenCount" + p.k, "LastAssignedSeq" = p.seq
            FROM unnest({loads.Select(l => l.UserId).ToArray()}, {loads.Select(l => l.Count).ToArray()}, {loads.Select(l => l.Seq).ToArray()}) AS p(user_id, k, seq)
            WHERE a."WorkspaceId" = {workspaceId} AND a."UserId" = p.user_id AND a."OpenCount" + p.k <= COALESCE(a."Capacity", {pass.Workspace.DefaultCapacity})
            """,
            cancellationToken);
        var now = clock.GetUtcNow();
        var claimed = loaded != loads.Count ? 0 : await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            UPDATE "Conversations" AS c SET "AssigneeId" = p.winner, "QueuedAt" = NULL, "AssignedAt" = {now}, "ReassignedFrom" = NULL
            FROM unnest({plan.Select(p => p.Conversation).ToArray()}, {plan.Select(p => p.Winner).ToArray()}) AS p(id, winner)
            WHERE c."WorkspaceId" = {workspaceId} AND c."Id" = p.id AND c."AssigneeId" IS NULL AND c."Status" = {ConversationStatus.Open}
            """,
            cancellationToken);
        if (claimed != plan.Count)
        {
            await transaction.RollbackToSavepointAsync(Savepoint, cancellationToken);
            return null;
        }
        await transaction.ReleaseSavepointAsync(Savepoint, cancellationToken);
        foreach (var (conversation, winner, explanation) in plan)
        {
            Assigned(pass, conversation, pass.Candidates.Single(c => c.UserId == winner).Name, explanation);
        }
        if (waiting is { } head)
        {
            Waits(pass, head.Conversation, head.Explanation);
        }
        return plan.Count;
    }

    // A conversation claimed: its decision on record, and its event.
    private void Assigned(Pass pass, Guid conversation, string name, RoutingExplanation explanation)
    {
        Record(conversation, pass.Trigger, explanation);
        pass.Events.Add(("conversation.assigned", new AssignedEvent(conversation, explanation.WinnerId, name, pass.DepartmentId, null, explanation.Reason)));
    }

    // Why the head of the queue waits is worth keeping once, when it arrives.
    private void Waits(Pass pass, Guid conversation, RoutingExplanation explanation)
    {
        if (pass.Trigger == RoutingTriggers.NewConversation)
        {
            Record(conversation, pass.Trigger, explanation);
        }
    }

    // Each choice claimed as it is made: a candidate found full is marked so and the choice made again, a conversation taken meanwhile skipped.
    private async Task<int> OneByOneAsync(Pass pass, CancellationToken cancellationToken)
    {
        var (workspace, _, mode, _, queue, candidates, sequence, _) = pass;
        var assigned = 0;
        foreach (var conversation in queue)
        {
            var pool = candidates.Select(c => c with { Previous = c.UserId == conversation.ReassignedFrom }).ToList();
            var explanation = RoutingChoice.Choose(mode, pool);
            // A candidate another department's pass filled meanwhile is marked full and the choice made again.
            // Only online agents win, and being online needs a state row: no need to make sure of it.
            while (explanation.WinnerId is { } winner && !await load.TryAddAsync(winner, workspace.DefaultCapacity, sequence, cancellationToken, ensure: false))
            {
                candidates = Replace(candidates, winner, c => c with { Open = c.Capacity });
                pool = Replace(pool, winner, c => c with { Open = c.Capacity });
                explanation = RoutingChoice.Choose(mode, pool);
            }
            if (explanation.WinnerId is not { } chosen)
            {
                Waits(pass, conversation.Id, explanation);
                break;
            }
            var now = clock.GetUtcNow();
            var claimed = await db.Set<Conversation>()
                .Where(c => c.Id == conversation.Id && c.AssigneeId == null && c.Status == ConversationStatus.Open)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.AssigneeId, chosen).SetProperty(c => c.QueuedAt, (DateTimeOffset?)null)
                    .SetProperty(c => c.AssignedAt, now).SetProperty(c => c.ReassignedFrom, (Guid?)null), cancellationToken);
            if (claimed == 0)
            {
                await load.ReleaseAsync(chosen, cancellationToken);
                continue;
            }
            sequence++;
            candidates = Replace(candidates, chosen, c => c with { Open = c.Open + 1, LastAssignedSeq = sequence - 1 });
            Assigned(pass, conversation.Id, candidates.Single(c => c.UserId == chosen).Name, explanation);
            assigned++;
        }
        return assigned;
    }

    /// <summary>Routes every department the agent takes work from (theirs, and those without members, which route to everyone).</summary>
    public async Task RouteForAgentAsync(Guid userId, string trigger, Guid? alsoDepartment, CancellationToken cancellationToken)
    {
        var departments = await db.Set<Department>()
            .Where(d => d.Id == alsoDepartment || db.Set<DepartmentMember>().Any(m => m.DepartmentId == d.Id && m.UserId == userId) || !db.Set<DepartmentMember>().Any(m => m.DepartmentId == d.Id))
            .Select(d => d.Id).ToListAsync(cancellationToken);
        foreach (var department in departments)
        {
            await RouteAsync(department, trigger, cancellationToken);
        }
    }

    /// <summary>The decisions stored for a conversation, newest first.</summary>
    public async Task<IReadOnlyList<(RoutingDecision Decision, RoutingExplanation Explanation)>> DecisionsAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        var rows = await db.Set<RoutingDecision>().AsNoTracking().Where(d => d.ConversationId == conversationId)
            .OrderByDescending(d => d.DecidedAt).ThenByDescending(d => d.Id).Take(20).ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r, JsonSerializer.Deserialize<RoutingExplanation>(r.Explanation, JsonSerializerOptions.Web)!))];
    }

    /// <summary>
    /// The department's members (a department nobody was put in stands for the whole team) who may
    /// use the inbox, with their presence, load and capacity.
    /// </summary>
    private async Task<List<Candidate>> CandidatesAsync(Workspace workspace, Guid departmentId, CancellationToken cancellationToken)
    {
        var members = db.Set<DepartmentMember>().Where(m => m.DepartmentId == departmentId).Select(m => m.UserId);
        // One read: whether the department has members is a column of every row.
        var rows = await (from m in db.Set<WorkspaceMember>().AsNoTracking()
                          join u in db.Set<User>() on m.UserId equals u.Id
                          join s in db.Set<AgentState>() on m.UserId equals s.UserId into states
                          from s in states.DefaultIfEmpty()
                          where m.WorkspaceId == workspace.Id && m.Active && (!members.Any() || members.Contains(m.UserId))
                          select new { m.UserId, m.Role, u.FullName, State = s }).ToListAsync(cancellationToken);
        var onlineSince = clock.GetUtcNow() - options.Value.PresenceGrace;
        return [.. rows.Where(r => PermissionTable.Allows(r.Role, WorkspaceActions.UseInbox)).Select(r => new Candidate(
            r.UserId, r.FullName,
            r.State is { Presence: PresenceStatus.Online, LastSeenAt: { } seen } && seen >= onlineSince,
            r.State?.OpenCount ?? 0, r.State?.Capacity ?? workspace.DefaultCapacity, r.State?.LastAssignedSeq ?? 0))];
    }

    private void Record(Guid conversationId, string trigger, RoutingExplanation explanation) =>
        db.Add(new RoutingDecision
        {
            ConversationId = conversationId,
            DecidedAt = clock.GetUtcNow(),
            Trigger = trigger,
            Mode = explanation.Mode,
            WinnerId = explanation.WinnerId,
            Explanation = JsonSerializer.Serialize(explanation, JsonSerializerOptions.Web),
        });

    private static List<Candidate> Replace(List<Candidate> candidates, Guid userId, Func<Candidate, Candidate> change) =>
        [.. candidates.Select(c => c.UserId == userId ? change(c) : c)];
}

/// <summary>The payload of <c>conversation.assigned</c> (docs/realtime.md).</summary>
internal sealed record AssignedEvent(Guid ConversationId, Guid? AssigneeId, string? AssigneeName, Guid DepartmentId, Guid? By, string? Reason);
