using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>An epoch names one validator set for all time, and a vote counts only for the set it was signed for.</summary>
public sealed class EpochTests
{
    private static UniqueAddress Member(int port, int uid) => new(new Address("akka.tcp", "p2pactors", "127.0.0.1", port), uid);

    [Fact]
    public void The_same_members_give_the_same_epoch_in_any_order_and_another_incarnation_gives_another()
    {
        UniqueAddress[] members = [Member(4053, 11), Member(4054, 22), Member(4055, 33)];
        var epoch = Epochs.FromMembers(members);
        Assert.Equal(epoch, Epochs.FromMembers(members.Reverse()));
        Assert.InRange(epoch, Epochs.LegacyLimit, Epochs.Limit - 1);
        Assert.False(Epochs.IsLegacy(epoch));

        // The node on 4055 restarts (same address, new uid), or leaves and another takes its place: a new epoch.
        Assert.NotEqual(epoch, Epochs.FromMembers([members[0], members[1], Member(4055, 34)]));
        Assert.NotEqual(epoch, Epochs.FromMembers([members[0], members[1], Member(4056, 33)]));
        Assert.NotEqual(epoch, Epochs.FromMembers(members.Take(2)));
        Assert.Equal(0, Epochs.FromMembers([]));
    }

    [Fact]
    public void A_vote_counts_only_for_the_validator_set_it_was_signed_for_even_under_the_same_epoch()
    {
        // Two sets under one epoch number (what up-number epochs produced): three validators in common.
        using var validators = new Validators(5);
        var epoch = validators.Epoch;
        var first = new ValidatorSet(epoch, validators.Identities.Take(4).Select(i => i.ValidatorId).ToArray());
        var second = new ValidatorSet(epoch, validators.Identities.Skip(1).Select(i => i.ValidatorId).ToArray());
        var inFirst = ValidatorRegistry.Empty.With(first);
        var inSecond = ValidatorRegistry.Empty.With(second);

        var vote = validators[1].Vote(Validators.ContentId, first, true, []);
        Assert.True(inFirst.IsValidVote(vote));
        Assert.False(inSecond.IsValidVote(vote));

        var batched = validators[2].SignBatch([new VoteStatement(Validators.ContentId, epoch, first.Hash, true, []), new VoteStatement(Validators.OtherContentId, epoch, first.Hash, true, [])]);
        Assert.All(batched, v => Assert.True(inFirst.IsValidVote(v)));
        Assert.All(batched, v => Assert.False(inSecond.IsValidVote(v)));

        // A certificate of the first set cannot be passed off as one of the second.
        var certificate = new Certificate(Validators.ContentId, epoch, first.Hash, [.. validators.Identities.Skip(1).Take(3).Select(i => i.Vote(Validators.ContentId, first, true, []))]);
        Assert.True(CertificateVerifier.Verify(certificate, Validators.ContentId, inFirst).IsValid);
        var relabelled = CertificateVerifier.Verify(certificate with { ValidatorSetHash = second.Hash }, Validators.ContentId, inSecond);
        Assert.False(relabelled.IsValid);
        Assert.Contains(CertificateVerifier.BadSignature, relabelled.Problems);
    }

    [Fact]
    public async Task Certificates_made_before_epochs_named_their_set_still_verify()
    {
        // Made by the release before this change (up-number epoch 196605, votes without the set hash), plain and batched.
        var system = ActorSystem.Create("legacy-certificates", ConfigurationFactory.ParseString(SerializationSetup.Hocon +
            "\nakka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1").WithFallback(DistributedData.DefaultConfig()));
        try
        {
            T Read<T>(string file) => (T)system.Serialization.Deserialize(
                File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Consensus", "Fixtures", file)), P2PJsonSerializer.SerializerId, typeof(T).FullName!);
            var set = Read<ValidatorSet>("set.json");
            Assert.True(Epochs.IsLegacy(set.Epoch));
            Assert.Equal("9ac840033e3e0c1477accbf0502b7cfe234de79490ad3afba792c51be8f92c2d", set.Hash);
            var registry = ValidatorRegistry.Empty.With(set);
            foreach (var file in new[] { "plain-certificate.json", "batched-certificate.json" })
            {
                var certificate = Read<Certificate>(file);
                Assert.Equal(CertificateCheck.Valid, CertificateVerifier.Verify(certificate, certificate.ContentId, registry));
                Assert.All(certificate.Approvals, v => Assert.True(registry.IsValidVote(v)));
                // Still bound to what was signed: another verdict or content does not verify.
                var tampered = certificate with { Approvals = [.. certificate.Approvals.Select(v => v with { Rules = ["x"] })] };
                Assert.False(CertificateVerifier.Verify(tampered, certificate.ContentId, registry).IsValid);
            }
        }
        finally
        {
            await system.Terminate();
        }
    }
}
