using Layan.Features.Workspaces;

namespace Layan.Features.Inbox;

/// <summary>An agent the router may consider for one conversation, as the database had them when it looked.</summary>
internal sealed record Candidate(Guid UserId, string Name, bool Online, int Open, int Capacity, long LastAssignedSeq, bool Previous = false);

/// <summary>One filter's verdict on one candidate (★ explainable routing).</summary>
internal sealed record Verdict(string Filter, bool Passed, string Detail);

internal sealed record CandidateVerdicts(Guid UserId, string Name, int Open, int Capacity, IReadOnlyList<Verdict> Verdicts)
{
    public bool Eligible => Verdicts.All(v => v.Passed);
}

/// <summary>
/// ★ What a routing decision stores and Supervisors see: the mode, every candidate with each
/// filter's verdict, the winner, and why it won (<see cref="RoutingReasons"/>).
/// </summary>
internal sealed record RoutingExplanation(string Mode, IReadOnlyList<CandidateVerdicts> Candidates, Guid? WinnerId, string Reason);

/// <summary>Why a decision came out as it did; the conversation page words them per language.</summary>
internal static class RoutingReasons
{
    public const string FewestOpen = "fewest_open";
    public const string FewestOpenLongestIdle = "fewest_open_longest_idle";
    public const string NextInRotation = "next_in_rotation";
    public const string NoCandidate = "no_candidate";
    public const string OpenAssignment = "open_assignment";
}

/// <summary>The filters every candidate passes through, in order.</summary>
internal static class RoutingFilters
{
    public const string Online = "online";
    public const string Capacity = "capacity";
    public const string NotPrevious = "not_previous";
}

/// <summary>
/// INB-3's choice, as a pure function of the candidates (unit-tested by tables). Filters: online
/// (status online within the heartbeat's grace window), under capacity, and not the agent the
/// conversation was just taken from (self-healing). Minimum Workload Distribution: fewest open
/// conversations, ties to the one assigned longest ago. Round Distribution: the one assigned
/// longest ago (strict rotation; someone never assigned comes first), whatever their load.
/// Remaining ties go to the lower user id, so every node decides alike.
/// </summary>
internal static class RoutingChoice
{
    public static RoutingExplanation Choose(string mode, IReadOnlyList<Candidate> candidates)
    {
        var judged = candidates.Select(Judge).ToList();
        if (mode == RoutingModes.OpenAssignment)
        {
            return new RoutingExplanation(mode, judged, null, RoutingReasons.OpenAssignment);
        }
        var eligible = candidates.Where((c, i) => judged[i].Eligible).ToList();
        if (eligible.Count == 0)
        {
            return new RoutingExplanation(mode, judged, null, RoutingReasons.NoCandidate);
        }
        if (mode == RoutingModes.Round)
        {
            var next = eligible.OrderBy(c => c.LastAssignedSeq).ThenBy(c => c.UserId).First();
            return new RoutingExplanation(mode, judged, next.UserId, RoutingReasons.NextInRotation);
        }
        var fewest = eligible.Min(c => c.Open);
        var least = eligible.Where(c => c.Open == fewest).OrderBy(c => c.LastAssignedSeq).ThenBy(c => c.UserId).ToList();
        return new RoutingExplanation(mode, judged, least[0].UserId, least.Count == 1 ? RoutingReasons.FewestOpen : RoutingReasons.FewestOpenLongestIdle);
    }

    private static CandidateVerdicts Judge(Candidate c) => new(c.UserId, c.Name, c.Open, c.Capacity,
    [
        new Verdict(RoutingFilters.Online, c.Online, c.Online ? "online" : "not online"),
        new Verdict(RoutingFilters.Capacity, c.Open < c.Capacity, $"{c.Open}/{c.Capacity}"),
        new Verdict(RoutingFilters.NotPrevious, !c.Previous, c.Previous ? "was assigned and did not answer" : "-"),
    ]);
}
