using Akka.Actor;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

[Collection(MultiNode.Collection)]
public sealed class ConsensusFaultTests : TestKit
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Validators_that_crash_mid_vote_leave_every_proposal_decided_or_undecided_and_nothing_hangs()
    {
        // The node's own 500 ms decision timeout: the proposal that cannot reach a quorum must end undecided well within Bounded.
        var nodes = await ConsensusCluster.StartAsync(this, 4, _ => new ConsensusOptions(), crashOnTerminate: true);
        try
        {
            // A stream of proposals while node 3 dies: each ends, none is accepted without a quorum of valid approvals.
            var proposals = Enumerable.Range(0, 40)
                .Select(i => nodes[0].Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Item, 100 + i), ProposalOptions.DecideOnly))
                .ToList();
            await nodes[3].System.Terminate();
            var outcomes = await Task.WhenAll(proposals).WaitAsync(Bounded);
            Assert.All(outcomes, o => Assert.True(o.Decision is ProposalDecision.Accepted or ProposalDecision.Undecided, o.Decision.ToString()));
            Assert.All(outcomes.Where(o => o.Decision == ProposalDecision.Accepted), o =>
                Assert.True(CertificateVerifier.Verify(o.Certificate, o.ContentId, nodes[0].View.Registry).IsValid));

            // Three of four validators still reach the threshold of three.
            var afterOne = await nodes[1].Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Quest, 150), ProposalOptions.DecideOnly).WaitAsync(Bounded);
            Assert.Equal(ProposalDecision.Accepted, afterOne.Decision);

            // With two of four gone acceptance is impossible to prove: undecided at the timeout, never accepted.
            await nodes[2].System.Terminate();
            var afterTwo = await nodes[1].Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Quest, 151), ProposalOptions.DecideOnly).WaitAsync(Bounded);
            Assert.Equal(ProposalDecision.Undecided, afterTwo.Decision);
            Assert.Null(afterTwo.Certificate);
            Assert.Equal(2, afterTwo.Approvals);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task An_equivocating_validator_is_flagged_on_every_node_with_evidence_each_node_verified_itself()
    {
        // A generous timeout: the proposer keeps a decided proposal until then to catch the second, late vote.
        var nodes = await ConsensusCluster.StartAsync(this, 4, i => new ConsensusOptions
        {
            Byzantine = i == 3 ? ByzantineMode.Equivocate : ByzantineMode.Honest,
            DecisionTimeout = TimeSpan.FromSeconds(5),
        });
        try
        {
            var equivocator = nodes[3].Runtime.ValidatorId;
            var valid = await nodes[0].Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Item, 41));
            Assert.Equal(ProposalDecision.Accepted, valid.Decision);
            // The equivocator's approval may have been counted before its contradicting vote arrived (the
            // decision is final then), but a valid certificate still holds at least threshold − f honest approvals.
            Assert.True(CertificateVerifier.Verify(valid.Certificate, valid.ContentId, nodes[0].View.Registry).IsValid);
            Assert.True(valid.Certificate!.Approvals.Count(v => v.ValidatorId != equivocator) >= valid.Threshold - 1);
            var invalid = await nodes[1].Client.ProposeAsync(ConsensusCluster.Overpowered(42));
            Assert.Equal(ProposalDecision.Rejected, invalid.Decision);

            await AwaitAssertAsync(() =>
            {
                foreach (var node in nodes)
                {
                    Assert.True(node.View.Equivocations.TryGetValue(equivocator, out var count),
                        $"not flagged on every node: {string.Join(", ", nodes.Select(n => n.View.Equivocations.Count))}; outcomes {valid.Equivocators.Count}/{invalid.Equivocators.Count}");
                    Assert.True(count >= 1);
                    var overview = node.Client.Validators();
                    Assert.True(Assert.Single(overview.Validators, v => v.Id == equivocator).Equivocating);
                    Assert.All(overview.Validators.Where(v => v.Id != equivocator), v => Assert.False(v.Equivocating));
                }
            }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task An_equivocator_caught_on_every_proposal_adds_a_bounded_amount_of_replicated_evidence()
    {
        // Without the bound every proposal adds a piece (the equivocator contradicts itself on each one), and every
        // write of the replicated set serialises all of it: cost grew with the number of proposals.
        const int proposals = 40;
        var nodes = await ConsensusCluster.StartAsync(this, 4, i => new ConsensusOptions
        {
            Byzantine = i == 3 ? ByzantineMode.Equivocate : ByzantineMode.Honest,
            DecisionTimeout = TimeSpan.FromSeconds(5),
        });
        try
        {
            var equivocator = nodes[3].Runtime.ValidatorId;
            var outcomes = await Task.WhenAll(Enumerable.Range(0, proposals)
                .Select(i => nodes[i % 3].Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Item, 300 + i), ProposalOptions.DecideOnly)))
                .WaitAsync(Bounded);
            Assert.All(outcomes, o => Assert.Equal(ProposalDecision.Accepted, o.Decision));

            var cap = ValidatorRegistryActor.MaxEvidencePerValidator;
            await AwaitAssertAsync(() => Assert.All(nodes, n => Assert.True(n.View.Equivocations.GetValueOrDefault(equivocator) >= cap,
                $"evidence counts: {string.Join(", ", nodes.Select(x => x.View.Equivocations.GetValueOrDefault(equivocator)))}")),
                TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(50));
            foreach (var node in nodes)
            {
                var read = await Akka.DistributedData.DistributedData.Get(node.System).Replicator
                    .Ask<Akka.DistributedData.IGetResponse>(Akka.DistributedData.Dsl.Get(ValidatorRegistryActor.EvidenceKey, Akka.DistributedData.ReadLocal.Instance))
                    .WaitAsync(Bounded);
                var evidence = Assert.IsType<Akka.DistributedData.GetSuccess>(read).Get(ValidatorRegistryActor.EvidenceKey).Elements;
                // Each of the three honest proposers stops reporting once its own view holds the cap; reports already
                // on their way when it got there may still land, but never one per proposal.
                Assert.InRange(evidence.Count, cap, cap * 3 + 3);
                Assert.All(evidence, e => Assert.Equal(equivocator, e.ValidatorId));
            }
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task Malformed_and_forged_address_bindings_written_by_a_peer_leave_the_registry_reading_the_genuine_ones()
    {
        // Prevents: a binding without a validator id (a peer may write anything into the replicated set) threw in every
        // node's registry actor each time the set was read, so a restart brought it back at once and no binding written
        // after it was ever taken.
        var nodes = await ConsensusCluster.StartAsync(this, 2);
        try
        {
            using var strangers = new Validators(2, epoch: 1);
            var replicator = Akka.DistributedData.DistributedData.Get(nodes[1].System).Replicator;
            var malformed = new ValidatorBinding("akka.tcp://p2pactors@127.0.0.1:9", null!, new byte[64]);
            var forged = ValidatorBinding.Create("akka.tcp://p2pactors@127.0.0.1:8", strangers[0]) with { Address = "akka.tcp://p2pactors@127.0.0.1:7" };
            var genuine = ValidatorBinding.Create("akka.tcp://p2pactors@127.0.0.1:6", strangers[1]);
            foreach (var binding in new[] { malformed, forged, genuine })
                replicator.Tell(Akka.DistributedData.Dsl.Update(ValidatorRegistryActor.BindingsKey, Akka.DistributedData.GSet<ValidatorBinding>.Empty,
                    Akka.DistributedData.WriteLocal.Instance, set => set.Add(binding)));

            await AwaitAssertAsync(() => Assert.All(nodes, n =>
            {
                Assert.Equal("akka.tcp://p2pactors@127.0.0.1:6", n.View.ClaimedAddresses.GetValueOrDefault(strangers[1].ValidatorId));
                Assert.False(n.View.ClaimedAddresses.ContainsKey(strangers[0].ValidatorId), "a binding whose signature does not verify was taken");
            }), Bounded, TimeSpan.FromMilliseconds(50));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task A_forging_validator_changes_no_decision_and_its_forged_catalog_entries_are_refused_everywhere()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4, i => new ConsensusOptions { Byzantine = i == 2 ? ByzantineMode.ForgeSignatures : ByzantineMode.Honest });
        try
        {
            var forger = nodes[2].Runtime.ValidatorId;
            var valid = await nodes[0].Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Dialog, 51));
            Assert.Equal(ProposalDecision.Accepted, valid.Decision);
            Assert.DoesNotContain(valid.Certificate!.Approvals, v => v.ValidatorId == forger);

            var invalid = ConsensusCluster.Overpowered(52);
            var rejected = await nodes[1].Client.ProposeAsync(invalid);
            Assert.Equal(ProposalDecision.Rejected, rejected.Decision);

            // The forger did write its entry for the rejected content.
            await AwaitAssertAsync(async () => Assert.NotNull(await RawCatalog.ReplicaEntryAsync(nodes[2], invalid.Id!)),
                TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
            await RawCatalog.SettleAsync(nodes[2], [invalid.Id!]);
            foreach (var node in nodes)
            {
                // The honest nodes refuted it as it came: it is not even in their replicas.
                if (node != nodes[2])
                    Assert.Empty(await RawCatalog.ReplicaVariantsAsync(node, invalid.Id!));
                Assert.Null(await node.State.FindCatalogEntryAsync(invalid.Id!));
                Assert.DoesNotContain((await node.State.ListCatalogAsync(null, 0, 100)).Entries, e => e.Id == invalid.Id);
            }
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task Votes_from_unknown_keys_or_with_bad_signatures_never_count()
    {
        // Three silent validators: only the proposer's own validator answers, so the proposal waits for its timeout
        // while the test sends it votes that must not count.
        var nodes = await ConsensusCluster.StartAsync(this, 4, i => new ConsensusOptions
        {
            Byzantine = i == 0 ? ByzantineMode.Honest : ByzantineMode.Silent,
            DecisionTimeout = TimeSpan.FromSeconds(2),
        });
        try
        {
            var set = nodes[0].View.Current!;
            var content = ConsensusCluster.Valid(ContentType.Item, 61);
            var pending = nodes[0].Client.ProposeAsync(content, ProposalOptions.DecideOnly);
            using var strangers = new Validators(3, set.Epoch);
            var coordinator = nodes[0].Runtime.Coordinator;
            for (var i = 0; i < 3; i++)
            {
                // A key no member proved.
                coordinator.Tell(strangers[i].Vote(content.Id!, set, true, []), TestActor);
                // A member's id, signed by someone else.
                var member = nodes[i + 1].Runtime.ValidatorId;
                var forged = strangers[i].Vote(content.Id!, set, true, []) with { ValidatorId = member };
                coordinator.Tell(forged, TestActor);
            }
            var outcome = await pending.WaitAsync(Bounded);
            Assert.Equal(ProposalDecision.Undecided, outcome.Decision);
            Assert.Equal(1, outcome.Approvals);
            Assert.Null(outcome.Certificate);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task A_flood_of_proposals_is_rate_limited_per_proposer_and_the_refused_ones_end_undecided()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4, _ => new ConsensusOptions
        {
            ProposalsPerSecondPerProposer = 1,
            ProposalBurst = 5,
            DecisionTimeout = TimeSpan.FromSeconds(10),
        });
        try
        {
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 30)
                .Select(i => nodes[0].Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Item, 200 + i), ProposalOptions.DecideOnly)))
                .WaitAsync(Bounded);
            var accepted = outcomes.Count(o => o.Decision == ProposalDecision.Accepted);
            Assert.InRange(accepted, 5, 8);
            var refused = outcomes.Where(o => o.Decision == ProposalDecision.Undecided).ToList();
            Assert.Equal(30 - accepted, refused.Count);
            Assert.All(refused, o => Assert.Contains(ValidatorActor.RateLimited, o.Refusals));
            // Every validator refused them, so the proposer did not wait for its (ten-second) timeout.
            Assert.All(refused, o => Assert.True(o.Elapsed < TimeSpan.FromSeconds(10), o.Elapsed.ToString()));

            // Another proposer has its own bucket.
            var other = await nodes[1].Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Item, 299), ProposalOptions.DecideOnly);
            Assert.Equal(ProposalDecision.Accepted, other.Decision);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }
}
