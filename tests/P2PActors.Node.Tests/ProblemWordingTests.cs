using Microsoft.AspNetCore.Http.HttpResults;
using P2PActors.Cluster.Consensus;
using P2PActors.Node.Api;

namespace P2PActors.Node.Tests;

/// <summary>The vote's answers count in agreement with their nouns ("1 validator", never "1 validators").</summary>
public sealed class ProblemWordingTests
{
    private static ProposalOutcome Outcome(ProposalDecision decision, int validators, int approvals, int rejections) =>
        new("c0ffee", decision, 1, validators, QuorumMath.Threshold(validators), approvals, rejections, ["item.stats"], [], null, TimeSpan.Zero, []);

    private static string Detail(Microsoft.AspNetCore.Http.IResult result) => Assert.IsType<ProblemHttpResult>(result).ProblemDetails.Detail!;

    [Fact]
    public void An_undecided_vote_on_a_one_node_cluster_speaks_of_1_validator_and_0_approvals()
    {
        var detail = Detail(Problems.Undecided(Outcome(ProposalDecision.Undecided, validators: 1, approvals: 0, rejections: 1)));
        Assert.Contains("(0 approvals of 1 needed, 1 rejection, 1 validator)", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Plural_counts_keep_their_plural()
    {
        Assert.Contains("(1 approval of 3 needed, 0 rejections, 4 validators)",
            Detail(Problems.Undecided(Outcome(ProposalDecision.Undecided, validators: 4, approvals: 1, rejections: 0))), StringComparison.Ordinal);
        Assert.StartsWith("1 of 1 validator rejected it", Detail(Problems.Rejected(Outcome(ProposalDecision.Rejected, 1, 0, 1))), StringComparison.Ordinal);
        Assert.StartsWith("3 of 4 validators rejected it", Detail(Problems.Rejected(Outcome(ProposalDecision.Rejected, 4, 0, 3))), StringComparison.Ordinal);
    }
}
