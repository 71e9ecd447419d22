using Layan.Features.Inbox;
using Layan.Features.Workspaces;
using Shouldly;

namespace Layan.Tests.Inbox;

// INB-3's choice as tables: each row is a set of agents written as
// "name:online/offline:open/capacity:lastAssignedSeq[:prev]", the mode, and who must win (or "-").
public sealed class RoutingChoiceTests
{
    private static readonly Guid[] Ids = [.. Enumerable.Range(1, 6).Select(i => new Guid($"00000000-0000-0000-0000-00000000000{i}"))];

    private static List<Candidate> Parse(string table) =>
        [.. table.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select((row, i) =>
        {
            var p = row.Split(':');
            var load = p[2].Split('/');
            return new Candidate(Ids[i], p[0], p[1] == "on", int.Parse(load[0], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(load[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture), p.Length > 4);
        })];

    [Theory]
    // fewest open wins
    [InlineData("minimum_workload", "a:on:2/5:1 b:on:1/5:2 c:on:3/5:0", "b", RoutingReasons.FewestOpen)]
    // a tie on load goes to the one assigned longest ago
    [InlineData("minimum_workload", "a:on:1/5:7 b:on:1/5:3 c:on:4/5:0", "b", RoutingReasons.FewestOpenLongestIdle)]
    // never assigned counts as longest ago
    [InlineData("minimum_workload", "a:on:0/5:4 b:on:0/5:0", "b", RoutingReasons.FewestOpenLongestIdle)]
    // full and offline agents are filtered out, however light their load
    [InlineData("minimum_workload", "a:on:5/5:0 b:off:0/5:0 c:on:4/5:9", "c", RoutingReasons.FewestOpen)]
    [InlineData("minimum_workload", "a:on:2/2:0 b:off:0/5:0", "-", RoutingReasons.NoCandidate)]
    // a capacity of zero takes nothing
    [InlineData("minimum_workload", "a:on:0/0:0 b:on:3/5:0", "b", RoutingReasons.FewestOpen)]
    // the agent a conversation was taken from is passed over once
    [InlineData("minimum_workload", "a:on:0/5:0:prev b:on:2/5:1", "b", RoutingReasons.FewestOpen)]
    // rotation: longest since last assignment, whatever the load
    [InlineData("round", "a:on:0/5:5 b:on:4/5:2 c:on:1/5:3", "b", RoutingReasons.NextInRotation)]
    [InlineData("round", "a:on:0/5:5 b:on:5/5:2 c:on:1/5:3", "c", RoutingReasons.NextInRotation)]
    [InlineData("round", "a:off:0/5:0 b:on:0/5:2 c:on:1/5:3", "b", RoutingReasons.NextInRotation)]
    // equal numbers: the lower id, so every node decides alike
    [InlineData("round", "a:on:0/5:0 b:on:0/5:0", "a", RoutingReasons.NextInRotation)]
    [InlineData("round", "", "-", RoutingReasons.NoCandidate)]
    // open assignment never picks
    [InlineData("open_assignment", "a:on:0/5:0", "-", RoutingReasons.OpenAssignment)]
    public void Chooses_as_the_table_says(string mode, string agents, string winner, string reason)
    {
        var candidates = Parse(agents);

        var decision = RoutingChoice.Choose(mode, candidates);

        (decision.WinnerId is { } id ? candidates.Single(c => c.UserId == id).Name : "-").ShouldBe(winner);
        decision.Reason.ShouldBe(reason);
        decision.Candidates.Count.ShouldBe(candidates.Count, "every candidate is in the explanation");
    }

    [Fact]
    public void The_explanation_gives_each_filter_s_verdict()
    {
        var decision = RoutingChoice.Choose(RoutingModes.MinimumWorkload, Parse("a:off:5/5:0:prev b:on:1/3:0"));

        var a = decision.Candidates[0];
        a.Eligible.ShouldBeFalse();
        a.Verdicts.Select(v => (v.Filter, v.Passed)).ShouldBe([(RoutingFilters.Online, false), (RoutingFilters.Capacity, false), (RoutingFilters.NotPrevious, false)]);
        a.Verdicts.Single(v => v.Filter == RoutingFilters.Capacity).Detail.ShouldBe("5/5");
        decision.Candidates[1].Eligible.ShouldBeTrue();
    }

    [Fact]
    public void Round_distribution_over_many_picks_stays_even()
    {
        var candidates = Parse("a:on:0/100:0 b:on:0/100:0 c:on:0/100:0 d:on:0/100:0");
        var sequence = 0L;
        for (var i = 0; i < 103; i++)
        {
            var winner = RoutingChoice.Choose(RoutingModes.Round, candidates).WinnerId!.Value;
            sequence++;
            candidates = [.. candidates.Select(c => c.UserId == winner ? c with { Open = c.Open + 1, LastAssignedSeq = sequence } : c)];
        }

        (candidates.Max(c => c.Open) - candidates.Min(c => c.Open)).ShouldBeLessThanOrEqualTo(1);
    }
}
