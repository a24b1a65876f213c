using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

[Collection(MultiNode.Collection)]
public sealed class ConsensusAdmissionTests : TestKit
{
    [Fact]
    public async Task Forged_replayed_and_short_certificates_written_straight_into_the_catalog_are_refused_by_every_node()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4);
        try
        {
            var set = nodes[0].View.Current!;
            var genuine = ConsensusCluster.Valid(ContentType.Item, 21);
            var accepted = await nodes[0].Client.ProposeAsync(genuine);
            Assert.Equal(ProposalDecision.Accepted, accepted.Decision);
            var certificate = accepted.Certificate!;

            var forgedContent = ConsensusCluster.Overpowered(22);
            var replayedContent = ConsensusCluster.Overpowered(23);
            var shortContent = ConsensusCluster.Valid(ContentType.Item, 24);
            var missingContent = ConsensusCluster.Valid(ContentType.Item, 25);
            using var strangers = new Validators(4, set.Epoch);
            var headers = new[]
            {
                // Garbage signatures under the real members' ids.
                Header(forgedContent, new Certificate(forgedContent.Id!, set.Epoch, set.Hash,
                    set.Members.Select(m => new Vote(m, forgedContent.Id!, set.Epoch, true, [], new byte[64])).ToList())),
                // The genuine certificate of other content.
                Header(replayedContent, certificate with { ContentId = replayedContent.Id! }),
                // Genuine signatures, but one approval short of the threshold.
                Header(shortContent, new Certificate(shortContent.Id!, set.Epoch, set.Hash,
                    nodes.Take(set.Threshold - 1).Select(n => n.Runtime.Identity.Vote(shortContent.Id!, set, true, [])).ToList())),
                // Validly signed by keys that are not validators of this cluster.
                Header(missingContent, new Certificate(missingContent.Id!, set.Epoch, set.Hash,
                    Enumerable.Range(0, 4).Select(i => strangers[i].Vote(missingContent.Id!, set, true, [])).ToList())),
                // No certificate at all.
                Header(ConsensusCluster.Valid(ContentType.Quest, 26), null),
            };
            foreach (var header in headers)
                await RawCatalog.WriteAsync(nodes[1], header);

            foreach (var node in nodes)
            {
                // Written to all nodes, so every node has taken each write. The writer's replica keeps what it wrote; every
                // other node refuted each forgery as it took the write, so its replica holds none of them.
                foreach (var header in headers)
                {
                    if (node == nodes[1])
                        Assert.NotNull(await RawCatalog.ReplicaEntryAsync(node, header.Id));
                    else
                        Assert.Empty(await RawCatalog.ReplicaVariantsAsync(node, header.Id));
                }
                // The node reads its replica into its view periodically: once the admission has looked at (and refused)
                // what it read, only the genuine entry is listed, and no forged one is served.
                await AwaitAssertAsync(async () =>
                {
                    var page = await node.State.ListCatalogAsync(null, 0, 100);
                    Assert.Equal([genuine.Id!], page.Entries.Select(e => e.Id));
                    Assert.True(node.Admission.Refused > 0);
                }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
                foreach (var header in headers)
                    Assert.Null(await node.State.FindCatalogEntryAsync(header.Id));
            }
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    private static CatalogHeader Header(GameContent content, Certificate? certificate) =>
        new(content.Id!, content.Type, content.DisplayName, "mallory", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            "akka.tcp://p2pactors@127.0.0.1:1", certificate.ToProof());

    [Fact]
    public async Task A_node_that_joins_later_trusts_the_older_validator_set_through_attestations_and_admits_its_certificates()
    {
        var nodes = (await ConsensusCluster.StartAsync(this, 4)).ToList();
        try
        {
            var oldSet = nodes[0].View.Current!;
            var early = ConsensusCluster.Valid(ContentType.Character, 31);
            var accepted = await nodes[2].Client.ProposeAsync(early);
            Assert.Equal(ProposalDecision.Accepted, accepted.Decision);
            Assert.Equal(oldSet.Epoch, accepted.Certificate!.Epoch);

            var joiner = ConsensusCluster.StartNode(new ConsensusOptions(), nodes[0].Address);
            nodes.Add(joiner);
            await TestCluster.AllUpAsync(this, nodes.Select(n => n.Node).ToList(), 5);
            await ConsensusCluster.SameSetAsync(this, nodes, 5);

            var newSet = joiner.View.Current!;
            // A new epoch (epochs name member incarnations; they are not ordered).
            Assert.NotEqual(oldSet.Epoch, newSet.Epoch);
            // Every node sees the same registry entries for the current epoch.
            Assert.All(nodes, n => Assert.Equal(newSet.Hash, n.View.Current!.Hash));

            await AwaitAssertAsync(async () =>
            {
                Assert.True(joiner.View.Registry.TryGetSet(oldSet.Epoch, out var learnt));
                Assert.Equal(oldSet.Hash, learnt.Hash);
                var header = await joiner.State.FindCatalogEntryAsync(early.Id!);
                Assert.NotNull(header);
                Assert.Equal(accepted.Certificate, header.Certificate.ToCertificate());
                Assert.Equal(1, (await joiner.State.ListCatalogAsync(null, 0, 10)).Total);
            }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));

            // The five-member set decides too, and the joiner votes in it.
            var later = await joiner.Client.ProposeAsync(ConsensusCluster.Valid(ContentType.Quest, 32));
            Assert.Equal(ProposalDecision.Accepted, later.Decision);
            Assert.Equal(newSet.Epoch, later.Epoch);
            Assert.Equal(4, later.Threshold);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }
}
