using Akka.Actor;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>
/// Batched proposals and votes over real remoting: a <see cref="ProposalBatch"/> is judged proposal by proposal, a
/// <see cref="VoteBatch"/> vouches for nothing, malformed batches are ignored without harming the node, and stale
/// proposals are skipped.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class ConsensusBatchTests : TestKit
{
    private static ActorSelection ValidatorOf(ConsensusNode node) =>
        node.System.ActorSelection(new RootActorPath(node.Address) / "user" / ValidatorActor.Name);

    private static ActorSelection CoordinatorOf(ConsensusNode node) =>
        node.System.ActorSelection(new RootActorPath(node.Address) / "user" / ConsensusCoordinator.Name);

    /// <summary>A proposal of <paramref name="content"/> in <paramref name="node"/>'s current epoch, under the header it would be shared with.</summary>
    private static Proposal ProposalIn(ConsensusNode node, GameContent content)
    {
        var set = node.View.Current!;
        return new(ContentJson.Serialize(content), content.Id!, set.Epoch, set.Hash, "test", 0, ConsensusCluster.HeaderAt(node, content));
    }

    [Fact]
    public async Task A_mixed_batch_gets_the_right_answer_for_every_proposal_in_one_message()
    {
        // A long decision timeout gives the validator a long turn: all eight are judged, signed and answered together.
        var nodes = await ConsensusCluster.StartAsync(this, 4, _ => new ConsensusOptions { MaxContentBytes = 16 * 1024, DecisionTimeout = TimeSpan.FromMinutes(1) });
        try
        {
            var set = nodes[1].View.Current!;
            var valid = ConsensusCluster.Valid(ContentType.Item, 301);
            var quest = ConsensusCluster.Valid(ContentType.Quest, 302);
            var overpowered = ConsensusCluster.Overpowered(303);
            var json = ContentJson.Serialize(valid);
            var huge = json.Replace("\"name\":\"", "\"name\":\"" + new string('x', 20_000), StringComparison.Ordinal);
            var otherId = ConsensusCluster.Valid(ContentType.Item, 304).Id!;
            var expiredItem = ConsensusCluster.Valid(ContentType.Item, 305);
            var future = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds();
            var past = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds();
            // Each under the header its content would be shared with (the bad bodies are refused before their header is read).
            Proposal Propose(string body, string id, long deadline = 0, GameContent? content = null) =>
                new(body, id, set.Epoch, set.Hash, "test", deadline, ConsensusCluster.HeaderAt(nodes[1], content ?? valid));

            ValidatorOf(nodes[1]).Tell(new ProposalBatch([
                Propose(json, valid.Id!, future),
                Propose(ContentJson.Serialize(quest), quest.Id!, content: quest),
                Propose(ContentJson.Serialize(overpowered), overpowered.Id!, content: overpowered),
                Propose(huge, valid.Id!),
                Propose(json, otherId),
                Propose("{ not json", new string('3', 64)),
                Propose(json, ""),
                Propose(ContentJson.Serialize(expiredItem), expiredItem.Id!, past, expiredItem),
            ]), TestActor);

            var batch = ExpectMsg<VoteBatch>(TimeSpan.FromSeconds(10));
            var registry = nodes[0].View.Registry;
            var cache = new VerifiedSignatureCache();
            Assert.Equal(6, batch.Votes.Count);
            Assert.All(batch.Votes, v => Assert.True(registry.IsValidVote(v, cache)));
            // Six verdicts of one turn, one batch signature: each vote carries its Merkle branch.
            Assert.All(batch.Votes, v => Assert.NotNull(v.Branch));
            Assert.Equal(1, cache.Misses);
            Assert.All(batch.Votes, v => Assert.Equal(nodes[1].Runtime.ValidatorId, v.ValidatorId));

            Vote VoteOn(int index) => batch.Votes[index];
            Assert.Equal((valid.Id, true), (VoteOn(0).ContentId, VoteOn(0).Approve));
            Assert.Equal((quest.Id, true), (VoteOn(1).ContentId, VoteOn(1).Approve));
            Assert.Equal(overpowered.Id, VoteOn(2).ContentId);
            Assert.False(VoteOn(2).Approve);
            Assert.Contains(VoteOn(2).Rules, r => r.StartsWith("balance.", StringComparison.Ordinal));
            Assert.Equal((valid.Id, false), (VoteOn(3).ContentId, VoteOn(3).Approve));
            Assert.Equal([ValidatorActor.Oversized], VoteOn(3).Rules);
            Assert.Equal((otherId, false), (VoteOn(4).ContentId, VoteOn(4).Approve));
            Assert.Contains(ValidatorActor.IdMismatch, VoteOn(4).Rules);
            Assert.False(VoteOn(5).Approve);
            Assert.Equal([ValidatorActor.Malformed], VoteOn(5).Rules);

            // The empty id and the expired proposal get unsigned refusals, not votes.
            Assert.Equal(2, batch.Refusals.Count);
            Assert.Equal(("", ValidatorActor.MalformedId), (batch.Refusals[0].ContentId, batch.Refusals[0].Reason));
            Assert.Equal((expiredItem.Id, ValidatorActor.Expired), (batch.Refusals[1].ContentId, batch.Refusals[1].Reason));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Theory]
    // 5 s, not 1: the second batch is sent 200 ms after the first plus a remote hop, and a loaded CI machine that
    // stalled past a 1 s wait would split the two into two turns and fail the test for it.
    [InlineData(5000, true)]
    [InlineData(0, false)]
    public async Task Batches_that_reach_a_fresh_validator_within_its_turn_wait_are_signed_together(int waitMs, bool together)
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4, _ => new ConsensusOptions
        {
            DecisionTimeout = TimeSpan.FromMinutes(1),
            VoteTurnWait = TimeSpan.FromMilliseconds(waitMs),
        });
        try
        {
            Proposal Propose(GameContent content) => ProposalIn(nodes[1], content);
            var first = ConsensusCluster.Valid(ContentType.Item, 311);
            var second = ConsensusCluster.Valid(ContentType.Item, 312);
            var otherProposer = CreateTestProbe();

            ValidatorOf(nodes[1]).Tell(new ProposalBatch([Propose(first)]), TestActor);
            VoteBatch? early = null;
            if (together)
                ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the turn is still waiting for more batches
            else
                early = ExpectMsg<VoteBatch>(TimeSpan.FromSeconds(10)); // judged and answered at once
            ValidatorOf(nodes[1]).Tell(new ProposalBatch([Propose(second)]), otherProposer.Ref);

            var firstVote = Assert.Single((early ?? ExpectMsg<VoteBatch>(TimeSpan.FromSeconds(10))).Votes);
            var secondVote = Assert.Single(otherProposer.ExpectMsg<VoteBatch>(TimeSpan.FromSeconds(10)).Votes);
            Assert.Equal((first.Id, second.Id), (firstVote.ContentId, secondVote.ContentId));
            // One turn signs all its verdicts with one batch signature; two turns sign twice.
            Assert.Equal(together, firstVote.Signature.AsSpan().SequenceEqual(secondVote.Signature));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task A_lone_batch_after_the_first_turn_is_judged_without_the_turn_wait()
    {
        // A turn wait far longer than the answer may take: only the first turn waits it.
        var wait = TimeSpan.FromSeconds(5);
        var nodes = await ConsensusCluster.StartAsync(this, 4, _ => new ConsensusOptions { DecisionTimeout = TimeSpan.FromMinutes(1), VoteTurnWait = wait });
        try
        {
            Proposal Propose(GameContent content) => ProposalIn(nodes[1], content);
            var first = ConsensusCluster.Valid(ContentType.Item, 313);
            var second = ConsensusCluster.Valid(ContentType.Item, 314);

            ValidatorOf(nodes[1]).Tell(new ProposalBatch([Propose(first)]), TestActor);
            Assert.Equal(first.Id, Assert.Single(ExpectMsg<VoteBatch>(wait + TimeSpan.FromSeconds(10)).Votes).ContentId);
            // Nothing else came with the first batch, so the next lone one is judged at once, not after the wait.
            ValidatorOf(nodes[1]).Tell(new ProposalBatch([Propose(second)]), TestActor);
            Assert.Equal(second.Id, Assert.Single(ExpectMsg<VoteBatch>(wait - TimeSpan.FromSeconds(2)).Votes).ContentId);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task Malformed_batches_are_ignored_and_the_nodes_keep_voting()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4);
        try
        {
            var set = nodes[2].View.Current!;
            var valid = ConsensusCluster.Valid(ContentType.Item, 311);
            var proposal = new Proposal(ContentJson.Serialize(valid), valid.Id!, set.Epoch, set.Hash, "test", Header: ConsensusCluster.HeaderAt(nodes[2], valid));
            var validator = ValidatorOf(nodes[2]);

            validator.Tell(new ProposalBatch(null!), TestActor);
            validator.Tell(new ProposalBatch(Enumerable.Repeat(proposal, ProposalBatch.MaxProposals + 1).ToList()), TestActor);
            var bulky = proposal with { Json = new string(' ', new ConsensusOptions().MaxContentBytes) };
            validator.Tell(new ProposalBatch([bulky, bulky]), TestActor);
            validator.Tell(new ProposalBatch([null!, proposal]), TestActor);

            // Messages between two actors keep their order: had any malformed batch been answered, its answer
            // would arrive first. The only answer is the vote on the well-formed proposal.
            var batch = ExpectMsg<VoteBatch>(TimeSpan.FromSeconds(10));
            var vote = Assert.Single(batch.Votes);
            Assert.Empty(batch.Refusals);
            Assert.Equal((valid.Id, true), (vote.ContentId, vote.Approve));
            Assert.True(nodes[0].View.Registry.IsValidVote(vote));

            // A coordinator ignores vote batches without lists or with too many entries.
            var coordinator = CoordinatorOf(nodes[0]);
            coordinator.Tell(new VoteBatch(null!, null!), TestActor);
            coordinator.Tell(new VoteBatch(Enumerable.Repeat(vote, VoteBatch.MaxEntries + 1).ToList(), []), TestActor);

            var outcomes = await nodes[0].Client.ProposeManyAsync([valid, ConsensusCluster.Valid(ContentType.Quest, 312)], ProposalOptions.DecideOnly);
            Assert.All(outcomes, o => Assert.Equal(ProposalDecision.Accepted, o.Decision));
            Assert.All(outcomes, o => Assert.True(CertificateVerifier.Verify(o.Certificate, o.ContentId, nodes[3].View.Registry).IsValid));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task A_vote_batch_counts_only_the_votes_that_check_out_alone()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4);
        try
        {
            var set = nodes[0].View.Current!;
            var valid = ConsensusCluster.Valid(ContentType.Item, 321);
            // A proposal whose votes we supply ourselves: a batch of votes from a node that does not hold the key
            // is worth nothing, even when it claims to come from every validator.
            var forged = set.Members.Select(m => new Vote(m, valid.Id!, set.Epoch, true, [], new byte[ValidatorKeys.SignatureLength])).ToList();
            var pending = nodes[0].Client.ProposeAsync(valid, ProposalOptions.DecideOnly);
            nodes[0].Runtime.Coordinator.Tell(new VoteBatch(forged, set.Members.Select(m => new ProposalRefused(valid.Id!, m, "rate-limited")).ToList()), TestActor);
            var outcome = await pending;
            Assert.Equal(ProposalDecision.Accepted, outcome.Decision);
            Assert.True(CertificateVerifier.Verify(outcome.Certificate, valid.Id!, nodes[1].View.Registry).IsValid);
            Assert.All(outcome.Certificate!.Approvals, a => Assert.True(nodes[2].View.Registry.IsValidVote(a)));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task Many_concurrent_proposals_over_real_remoting_all_decide_with_valid_certificates()
    {
        // A generous timeout: on a loaded test machine "all decide" must not hinge on speed.
        var nodes = await ConsensusCluster.StartAsync(this, 4, _ => new ConsensusOptions { DecisionTimeout = TimeSpan.FromSeconds(20) });
        try
        {
            var calls = new List<Task<IReadOnlyList<ProposalOutcome>>>();
            var singles = new List<Task<ProposalOutcome>>();
            var proposed = new List<GameContent>();
            for (var n = 0; n < nodes.Length; n++)
            {
                var many = Enumerable.Range(0, 60).Select(i => ConsensusCluster.Valid(i % 2 == 0 ? ContentType.Item : ContentType.Quest, 10_000 + 100 * n + i)).ToList();
                proposed.AddRange(many);
                calls.Add(nodes[n].Client.ProposeManyAsync(many, ProposalOptions.DecideOnly));
                for (var i = 0; i < 10; i++)
                {
                    var single = ConsensusCluster.Valid(ContentType.Item, 20_000 + 100 * n + i);
                    proposed.Add(single);
                    singles.Add(nodes[n].Client.ProposeAsync(single, ProposalOptions.DecideOnly));
                }
            }
            var outcomes = (await Task.WhenAll(calls)).SelectMany(o => o).Concat(await Task.WhenAll(singles)).ToList();

            Assert.Equal(proposed.Count, outcomes.Count);
            Assert.Equal(proposed.Select(p => p.Id).Order(), outcomes.Select(o => o.ContentId).Order());
            Assert.All(outcomes, o => Assert.Equal(ProposalDecision.Accepted, o.Decision));
            foreach (var node in nodes)
                Assert.All(outcomes, o => Assert.True(CertificateVerifier.Verify(o.Certificate, o.ContentId, node.View.Registry).IsValid));
            // The calls of 60 went out in batches and were signed in batches.
            Assert.Contains(outcomes, o => o.Certificate!.Approvals.Any(a => a.Branch is not null));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }
}
