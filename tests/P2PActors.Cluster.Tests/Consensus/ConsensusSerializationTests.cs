using Akka.Actor;
using Akka.Configuration;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>Consensus records cross the network: they must bind to our serializer and survive a round trip intact.</summary>
public sealed class ConsensusSerializationTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("consensus-serialization", ConfigurationFactory.ParseString(SerializationSetup.Hocon));
    private readonly Validators _validators = new(4);

    public void Dispose()
    {
        _validators.Dispose();
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    private T RoundTrip<T>(T message) where T : IP2PMessage
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<P2PJsonSerializer>(serializer);
        var bytes = serializer.ToBinary(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return Assert.IsType<T>(_system.Serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }

    [Fact]
    public void Votes_round_trip_and_still_verify()
    {
        var vote = _validators.Reject(1, "profanity", "map.spawn-unreachable");
        var copy = RoundTrip(vote);
        Assert.Equal(vote, copy);
        Assert.True(_validators.Registry.IsValidVote(copy));
    }

    [Fact]
    public void Certificates_round_trip_and_still_verify()
    {
        var certificate = _validators.Certify(3);
        var copy = RoundTrip(certificate);
        Assert.Equal(certificate, copy);
        Assert.True(CertificateVerifier.Verify(copy, Validators.ContentId, _validators.Registry).IsValid);
    }

    [Fact]
    public void Validator_sets_round_trip_with_the_same_hash()
    {
        var copy = RoundTrip(_validators.Set);
        Assert.Equal(_validators.Set, copy);
        Assert.Equal(_validators.Set.Hash, copy.Hash);
        Assert.Equal(_validators.Set.Members, copy.Members);
    }

    [Fact]
    public void Equivocation_evidence_round_trips_and_still_proves_it()
    {
        var tally = _validators.Tally().Add(_validators.Approve(3)).Tally.Add(_validators.Reject(3, "profanity")).Tally;
        var copy = RoundTrip(Assert.Single(tally.Evidence));
        Assert.True(copy.Verify(_validators.Registry));
        Assert.Equal(_validators[3].ValidatorId, copy.ValidatorId);
    }

    [Fact]
    public void A_validator_set_with_bad_ids_does_not_deserialize()
    {
        var serializer = (P2PJsonSerializer)_system.Serialization.FindSerializerFor(_validators.Set);
        var json = """{"epoch":1,"members":["zz"]}"""u8.ToArray();
        Assert.ThrowsAny<Exception>(() => serializer.FromBinary(json, typeof(ValidatorSet).FullName!));
    }
}
