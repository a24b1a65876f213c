using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>A set of in-memory validator identities registered for one epoch.</summary>
internal sealed class Validators : IDisposable
{
    public const string ContentId = "3f1c0ab7d7e9c4d1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819";
    public const string OtherContentId = "0000000000000000000000000000000000000000000000000000000000000001";

    public Validators(int count, long epoch = Epochs.LegacyLimit + 7)
    {
        Identities = Enumerable.Range(0, count).Select(_ => ValidatorIdentity.CreateEphemeral()).ToArray();
        Epoch = epoch;
        Set = new ValidatorSet(epoch, Identities.Select(i => i.ValidatorId).ToArray());
        Registry = ValidatorRegistry.Empty.With(Set);
    }

    public ValidatorIdentity[] Identities { get; }

    public long Epoch { get; }

    public ValidatorSet Set { get; }

    public ValidatorRegistry Registry { get; }

    public ValidatorIdentity this[int index] => Identities[index];

    public Vote Approve(int index, string contentId = ContentId) => Identities[index].Vote(contentId, Set, true, []);

    public Vote Reject(int index, params string[] rules) => Identities[index].Vote(ContentId, Set, false, rules);

    public VoteTally Tally() => VoteTally.Start(ContentId, Epoch, Registry);

    public Certificate Certify(int approvals)
    {
        var tally = Tally();
        for (var i = 0; i < approvals; i++)
            tally = tally.Add(Approve(i)).Tally;
        return tally.Certificate ?? throw new InvalidOperationException($"{approvals} approvals did not accept");
    }

    public void Dispose()
    {
        foreach (var identity in Identities)
            identity.Dispose();
    }
}
