using Akka.Actor;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

[Collection(MultiNode.Collection)]
public sealed class ConsensusClusterTests : TestKit
{
    [Fact]
    public async Task Four_honest_nodes_accept_valid_content_with_a_certificate_every_node_verifies_and_reject_invalid_content()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4);
        try
        {
            var set = nodes[0].View.Current!;
            Assert.Equal(3, set.Threshold);

            var valid = ConsensusCluster.Valid(ContentType.Item, 11);
            var accepted = await nodes[1].Client.ProposeAsync(valid);
            Assert.Equal(ProposalDecision.Accepted, accepted.Decision);
            Assert.NotNull(accepted.Certificate);
            Assert.True(accepted.Approvals >= 3);
            foreach (var node in nodes)
                Assert.True(CertificateVerifier.Verify(accepted.Certificate, valid.Id!, node.View.Registry).IsValid);

            // The shared entry carries the certificate and every node admits it.
            await AwaitAssertAsync(async () =>
            {
                foreach (var node in nodes)
                {
                    var header = await node.State.FindCatalogEntryAsync(valid.Id!);
                    Assert.NotNull(header);
                    Assert.Equal(accepted.Certificate, header.Certificate.ToCertificate());
                }
            }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

            var invalid = ConsensusCluster.Overpowered(12);
            var rejected = await nodes[2].Client.ProposeAsync(invalid);
            Assert.Equal(ProposalDecision.Rejected, rejected.Decision);
            Assert.Null(rejected.Certificate);
            Assert.Contains(rejected.Rules, r => r.StartsWith("balance.", StringComparison.Ordinal));
            Assert.Null(await nodes[0].State.FindCatalogEntryAsync(invalid.Id!));
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task Every_bad_proposal_ends_in_a_clear_rejection_or_refusal()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4, _ => new ConsensusOptions { MaxContentBytes = 16 * 1024 });
        try
        {
            var client = nodes[0].Client;
            var valid = ConsensusCluster.Valid(ContentType.Item, 71);
            var json = ContentJson.Serialize(valid);

            var malformed = await client.ProposeRawAsync("{ this is not json", new string('1', 64));
            Assert.Equal(ProposalDecision.Rejected, malformed.Decision);
            Assert.Equal([ValidatorActor.Malformed], malformed.Rules);

            var unknownType = await client.ProposeRawAsync("""{"type":"spaceship","seed":1}""", new string('2', 64));
            Assert.Equal(ProposalDecision.Rejected, unknownType.Decision);
            Assert.Equal([ValidatorActor.Malformed], unknownType.Rules);

            // The body says one id, the proposal claims another.
            var otherId = ConsensusCluster.Valid(ContentType.Item, 72).Id!;
            var wrongClaim = await client.ProposeRawAsync(json, otherId);
            Assert.Equal(ProposalDecision.Rejected, wrongClaim.Decision);
            Assert.Contains(ValidatorActor.IdMismatch, wrongClaim.Rules);

            // Edited after its id was computed.
            var tampered = ContentJson.Serialize(((Item)valid) with { Name = "Tampered Blade" });
            var edited = await client.ProposeRawAsync(tampered, valid.Id!);
            Assert.Equal(ProposalDecision.Rejected, edited.Decision);
            Assert.Contains(ValidatorActor.IdMismatch, edited.Rules);

            // Oversized: refused by the proposer before anything is sent...
            var huge = json.Replace("\"name\":\"", "\"name\":\"" + new string('x', 20_000), StringComparison.Ordinal);
            var oversized = await client.ProposeRawAsync(huge, valid.Id!);
            Assert.Equal(ProposalDecision.Rejected, oversized.Decision);
            Assert.Equal([ValidatorActor.Oversized], oversized.Rules);
            // ...and by a validator before it parses, should a proposer send it anyway.
            var set = nodes[1].View.Current!;
            var validator = nodes[1].System.ActorSelection(new RootActorPath(nodes[1].Address) / "user" / ValidatorActor.Name);
            validator.Tell(new Proposal(huge, valid.Id!, set.Epoch, set.Hash, "test", Header: ConsensusCluster.HeaderAt(nodes[1], valid)), TestActor);
            var vote = ExpectMsg<Vote>(TimeSpan.FromSeconds(5));
            Assert.False(vote.Approve);
            Assert.Equal([ValidatorActor.Oversized], vote.Rules);
            Assert.True(nodes[0].View.Registry.IsValidVote(vote));

            // An epoch the validator does not vote in: an unsigned refusal that says why.
            validator.Tell(new Proposal(json, valid.Id!, set.Epoch + 1, set.Hash, "test"), TestActor);
            var refusal = ExpectMsg<ProposalRefused>(TimeSpan.FromSeconds(5));
            Assert.StartsWith(ValidatorActor.UnknownEpoch, refusal.Reason, StringComparison.Ordinal);

            // None of it reached the catalog, and the node still accepts good content.
            Assert.Equal(0, (await nodes[0].State.ListCatalogAsync(null, 0, 10)).Total);
            Assert.Equal(ProposalDecision.Accepted, (await client.ProposeAsync(valid)).Decision);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }
}
