using Akka.Actor;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>
/// Catalog headers are as trustworthy as bodies (issue 12 §4): a certificate binds the header its entry is listed
/// under, so a header rewritten under a genuine certificate is refused everywhere. Real remoting, 4 ActorSystems.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class HeaderBindingClusterTests : TestKit
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private static readonly GameContent[] Contents =
    [
        ConsensusCluster.Valid(ContentType.Item, 4101),
        ConsensusCluster.Valid(ContentType.Character, 4102),
        ConsensusCluster.Valid(ContentType.Quest, 4103),
        ConsensusCluster.Valid(ContentType.Item, 4104),
        ConsensusCluster.Valid(ContentType.Character, 4105),
    ];

    /// <summary>Every way the issue names to lie in a header, one per genuine entry, each keeping the genuine certificate.</summary>
    private static CatalogHeader[] Rewrites(IReadOnlyList<CatalogHeader> genuine) =>
    [
        genuine[0] with { Type = genuine[0].Type == ContentType.Quest ? ContentType.Map : ContentType.Quest },
        genuine[1] with { Name = "Excalibur of Free Gold" },
        genuine[2] with { Author = "mallory" },
        // Far in the future: it would sit at the top of every node's catalog.
        genuine[3] with { CreatedMs = genuine[3].CreatedMs + (long)TimeSpan.FromDays(3650).TotalMilliseconds },
        genuine[4] with { Holder = "akka.tcp://p2pactors@127.0.0.1:1" },
    ];

    [Fact]
    public async Task A_genuine_entry_rewritten_with_a_false_type_name_author_created_time_or_holder_under_its_genuine_certificate_is_refused_by_every_node()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4);
        try
        {
            await ShareAllAsync(nodes[0]);
            var genuine = await ListedEverywhereAsync(nodes);
            var rewrites = Rewrites(genuine);
            foreach (var rewrite in rewrites)
                await RawCatalog.WriteAsync(nodes[2], rewrite);

            foreach (var node in nodes)
                await AssertRefusedAsync(node, rewrites, genuine, wrote: node == nodes[2]);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task Entries_rewritten_by_a_tamper_headers_node_are_refused_by_every_honest_node_and_valid_content_is_still_accepted()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4, i => new ConsensusOptions { Byzantine = i == 3 ? ByzantineMode.TamperHeaders : ByzantineMode.Honest });
        try
        {
            var honest = nodes.Take(3).ToArray();
            var tampering = CreateTestProbe(nodes[3].System);
            nodes[3].System.EventStream.Subscribe(tampering.Ref, typeof(HeaderTampered));
            await ShareAllAsync(nodes[0]);
            // The tamperer rewrites each entry it admits, once.
            var rewritten = Enumerable.Range(0, Contents.Length).Select(_ => tampering.ExpectMsg<HeaderTampered>(Settle)).ToList();
            Assert.Equal(Contents.Select(c => c.Id!).Order(StringComparer.Ordinal), rewritten.Select(r => r.Tampered.Id).Order(StringComparer.Ordinal));
            Assert.All(rewritten, r => Assert.Equal(r.Genuine.Certificate, r.Tampered.Certificate));
            var tampered = rewritten.Select(r => r.Tampered).ToList();
            // Each of the five header fields was falsified once.
            Assert.Contains(rewritten, r => r.Genuine.Type != r.Tampered.Type);
            Assert.Contains(tampered, t => t.Name.StartsWith(HeaderTamperer.TamperedNamePrefix, StringComparison.Ordinal));
            Assert.Contains(tampered, t => t.Author == HeaderTamperer.TamperedAuthor);
            Assert.Contains(tampered, t => t.CreatedMs > DateTimeOffset.UtcNow.AddYears(5).ToUnixTimeMilliseconds());
            Assert.Contains(tampered, t => t.Holder == HeaderTamperer.TamperedHolder);

            await RawCatalog.SettleAsync(nodes[3], tampered.Select(t => t.Id));
            foreach (var node in honest)
                await AssertRefusedAsync(node, tampered, rewritten.Select(r => r.Genuine).ToList(), wrote: false);

            // The tamperer votes honestly: the cluster still decides.
            var later = ConsensusCluster.Valid(ContentType.Quest, 4199);
            Assert.Equal(ProposalDecision.Accepted, (await nodes[1].Client.ProposeAsync(later, ProposalOptions.DecideOnly)).Decision);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task Entries_certified_before_headers_were_bound_are_admitted_unless_dated_into_the_future_and_a_certificate_mixing_statements_is_refused()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4);
        try
        {
            var set = nodes[0].View.Current!;
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            // Votes of the release before: set hash, no header digest (statement v2).
            Certificate Legacy(GameContent content) => new(content.Id!, set.Epoch, set.Hash,
                nodes.Take(set.Threshold).Select(n => n.Runtime.Identity.Vote(content.Id!, set, true, [])).ToList());
            CatalogHeader Header(GameContent content, long createdMs, Certificate certificate) =>
                new(content.Id!, content.Type, content.DisplayName, "old-timer", createdMs, nodes[0].State.HolderAddress, certificate.ToProof());

            var old = ConsensusCluster.Valid(ContentType.Item, 4201);
            var oldHeader = Header(old, now - (long)TimeSpan.FromDays(30).TotalMilliseconds, Legacy(old));
            var future = ConsensusCluster.Valid(ContentType.Item, 4202);
            var futureHeader = Header(future, now + (long)TimeSpan.FromDays(1).TotalMilliseconds, Legacy(future));
            // Two approvals bound to the header, the rest legacy: the legacy votes would bind nothing.
            var mixed = ConsensusCluster.Valid(ContentType.Quest, 4203);
            var mixedHeader = Header(mixed, now, Legacy(mixed));
            var digest = EntryHeader.Compute(mixedHeader.Id, mixedHeader.Type, mixedHeader.Name, mixedHeader.Author, mixedHeader.CreatedMs, mixedHeader.Holder);
            mixedHeader = mixedHeader with
            {
                Certificate = (mixedHeader.Certificate.ToCertificate()! with
                {
                    Approvals = [.. nodes.Take(set.Threshold).Select((n, i) => n.Runtime.Identity.Vote(mixed.Id!, set, true, [], i < 2 ? digest : null))],
                }).ToProof(),
            };
            foreach (var header in new[] { oldHeader, futureHeader, mixedHeader })
                await RawCatalog.WriteAsync(nodes[1], header);

            foreach (var node in nodes)
            {
                await AwaitAssertAsync(async () => Assert.Equal(oldHeader, await node.State.FindCatalogEntryAsync(old.Id!)), Settle, TimeSpan.FromMilliseconds(50));
                Assert.Equal(futureHeader, await RawCatalog.ReplicaEntryAsync(node, future.Id!));
                Assert.Null(await node.State.FindCatalogEntryAsync(future.Id!));
                // Refused for good where it was not written (the set is known: it can never verify), so only its writer holds it;
                // the entry from the future is refused but held, since the clock moves on.
                if (node == nodes[1])
                    Assert.Equal(mixedHeader, await RawCatalog.ReplicaEntryAsync(node, mixed.Id!));
                else
                    Assert.Empty(await RawCatalog.ReplicaVariantsAsync(node, mixed.Id!));
                Assert.Null(await node.State.FindCatalogEntryAsync(mixed.Id!));
                Assert.Equal([old.Id!], (await node.State.ListCatalogAsync(null, 0, 10)).Entries.Select(e => e.Id));
            }
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task A_validator_signs_only_a_header_that_matches_the_body_its_clock_and_its_proposer()
    {
        var nodes = await ConsensusCluster.StartAsync(this, 4);
        try
        {
            var node = nodes[1];
            var set = node.View.Current!;
            var validator = node.System.ActorSelection(new RootActorPath(node.Address) / "user" / ValidatorActor.Name);
            var content = ConsensusCluster.Valid(ContentType.Character, 4301);
            var json = ContentJson.Serialize(content);
            var good = ConsensusCluster.HeaderAt(node, content);
            var window = new ConsensusOptions().HeaderClockWindow;

            Vote VoteOn(EntryHeader? header)
            {
                validator.Tell(new Proposal(json, content.Id!, set.Epoch, set.Hash, "test", Header: header), TestActor);
                return ExpectMsg<Vote>(TimeSpan.FromSeconds(5));
            }

            var approval = VoteOn(good);
            Assert.True(approval.Approve);
            Assert.Equal(good.Digest(content.Id!), approval.HeaderDigest);
            Assert.True(node.View.Registry.IsValidVote(approval));

            var cases = new (EntryHeader Header, string Rule)[]
            {
                (good with { Type = ContentType.Item }, HeaderRules.TypeMismatch),
                (good with { Name = content.DisplayName + " the Great" }, HeaderRules.NameMismatch),
                (good with { Author = "not an id!" }, HeaderRules.BadAuthor),
                (good with { Holder = nodes[2].State.HolderAddress }, HeaderRules.HolderMismatch),
                (good with { CreatedMs = good.CreatedMs + (long)(window * 3).TotalMilliseconds }, HeaderRules.CreatedOutOfWindow),
                (good with { CreatedMs = good.CreatedMs - (long)(window * 3).TotalMilliseconds }, HeaderRules.CreatedOutOfWindow),
                (good with { CreatedMs = long.MaxValue }, HeaderRules.CreatedOutOfWindow),
            };
            foreach (var (header, rule) in cases)
            {
                var rejection = VoteOn(header);
                Assert.False(rejection.Approve);
                Assert.Equal([rule], rejection.Rules);
                // Signed for that header, so it counts against that proposal only.
                Assert.Equal(header.Digest(content.Id!), rejection.HeaderDigest);
                Assert.True(node.View.Registry.IsValidVote(rejection));
            }

            // A proposer of an earlier release sends no header: nothing to sign, an unsigned refusal says why.
            validator.Tell(new Proposal(json, content.Id!, set.Epoch, set.Hash, "test"), TestActor);
            var refusal = ExpectMsg<ProposalRefused>(TimeSpan.FromSeconds(5));
            Assert.StartsWith(HeaderRules.Missing, refusal.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await ConsensusCluster.DisposeAllAsync(nodes);
        }
    }

    /// <summary>Shares <see cref="Contents"/> through <paramref name="proposer"/>, as "alice".</summary>
    private static async Task<IReadOnlyList<ProposalOutcome>> ShareAllAsync(ConsensusNode proposer)
    {
        var outcomes = new List<ProposalOutcome>();
        foreach (var content in Contents)
        {
            var outcome = await proposer.Client.ProposeAsync(content, new ProposalOptions("alice"));
            Assert.Equal(ProposalDecision.Accepted, outcome.Decision);
            outcomes.Add(outcome);
        }
        return outcomes;
    }

    /// <summary>Once every node lists all of <see cref="Contents"/>: their headers, as shared.</summary>
    private async Task<IReadOnlyList<CatalogHeader>> ListedEverywhereAsync(IReadOnlyList<ConsensusNode> nodes)
    {
        foreach (var node in nodes)
        {
            await AwaitAssertAsync(async () =>
            {
                var page = await node.State.ListCatalogAsync(null, 0, 100);
                Assert.Equal(Contents.Select(c => c.Id!).Order(StringComparer.Ordinal), page.Entries.Select(e => e.Id).Order(StringComparer.Ordinal));
            }, Settle, TimeSpan.FromMilliseconds(50));
        }
        var genuine = new List<CatalogHeader>();
        foreach (var content in Contents)
        {
            var header = (await nodes[0].State.FindCatalogEntryAsync(content.Id!))!;
            Assert.Equal((content.Type, content.DisplayName, "alice"), (header.Type, header.Name, header.Author));
            genuine.Add(header);
        }
        return genuine;
    }

    /// <summary>
    /// <paramref name="node"/> refuses every rewrite, and — once the entries' holder has written the genuine headers
    /// back — holds, lists and serves exactly the <paramref name="genuine"/> headers again. Only the node that
    /// <paramref name="wrote"/> the rewrites holds them; every other node refuted them as they came.
    /// </summary>
    private async Task AssertRefusedAsync(ConsensusNode node, IReadOnlyList<CatalogHeader> rewrites, IReadOnlyList<CatalogHeader> genuine, bool wrote)
    {
        foreach (var rewrite in rewrites)
        {
            Assert.False(node.Admission.Admit(rewrite), $"{node.Address} admits the rewritten header {rewrite}");
            Assert.True(node.Admission.Refutes(rewrite), $"{node.Address} does not refute the rewritten header {rewrite}");
        }
        await AwaitAssertAsync(async () =>
        {
            // The writer's replica keeps each rewrite beside the genuine header (it displaces nothing); the node lists the genuine one.
            foreach (var rewrite in rewrites)
            {
                if (wrote)
                    Assert.Contains(rewrite, await RawCatalog.ReplicaVariantsAsync(node, rewrite.Id));
                else
                    Assert.DoesNotContain(rewrite, await RawCatalog.ReplicaVariantsAsync(node, rewrite.Id));
            }
            foreach (var header in genuine)
            {
                Assert.Contains(header, await RawCatalog.ReplicaVariantsAsync(node, header.Id));
                Assert.Equal(header, await node.State.FindCatalogEntryAsync(header.Id));
            }
            var page = await node.State.ListCatalogAsync(null, 0, 100);
            Assert.Equal(genuine.OrderBy(h => h.Id, StringComparer.Ordinal), page.Entries.OrderBy(h => h.Id, StringComparer.Ordinal));
        }, Settle, TimeSpan.FromMilliseconds(100));
    }
}
