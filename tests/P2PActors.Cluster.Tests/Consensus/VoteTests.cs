using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Tests.Consensus;

public sealed class VoteTests : IDisposable
{
    private readonly Validators _validators = new(4);

    public void Dispose() => _validators.Dispose();

    [Fact]
    public void A_signed_vote_verifies_against_its_validators_key()
    {
        var vote = _validators.Reject(0, "profanity", "balance.item.stat-cap");
        Assert.True(vote.IsWellFormed);
        Assert.Equal(64, vote.Signature.Length);
        Assert.True(_validators.Registry.IsValidVote(vote));
    }

    [Fact]
    public void Changing_any_signed_field_breaks_the_signature()
    {
        var vote = _validators.Reject(0, "profanity");
        Vote[] tampered =
        [
            vote with { ContentId = Validators.OtherContentId },
            vote with { Epoch = vote.Epoch + 1 },
            vote with { Approve = true },
            vote with { Rules = ["map.spawn-unreachable"] },
            vote with { Rules = [] },
            vote with { ValidatorId = _validators[1].ValidatorId },
            vote with { Signature = Flip(vote.Signature) },
        ];
        _validators.Registry.TryGetKey(vote.ValidatorId, out var key);
        Assert.True(vote.VerifySignature(key!, _validators.Set.Hash));
        foreach (var forged in tampered)
            Assert.False(forged.VerifySignature(key!, _validators.Set.Hash), $"{forged} still verified");
    }

    [Fact]
    public void Signed_bytes_do_not_let_fields_slide_into_each_other()
    {
        var id = _validators[0].ValidatorId;
        var a = new Vote(id, "c", Epochs.LegacyLimit, false, ["ab", "c"], []).SignedBytes("");
        var b = new Vote(id, "c", Epochs.LegacyLimit, false, ["a", "bc"], []).SignedBytes("");
        var c = new Vote(id, "c", Epochs.LegacyLimit, false, ["abc"], []).SignedBytes("");
        var d = new Vote(id, "ca", Epochs.LegacyLimit, false, ["bc"], []).SignedBytes("");
        var e = new Vote(id, "c", Epochs.LegacyLimit, false, ["abc", ""], []).SignedBytes("");
        var all = new[] { a, b, c, d, e }.Select(Convert.ToHexString).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Signed_bytes_start_with_the_vote_domain()
    {
        var bytes = _validators.Approve(0).SignedBytes(_validators.Set.Hash);
        var domain = System.Text.Encoding.UTF8.GetBytes(Vote.Domain);
        Assert.Equal(domain.Length, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes));
        Assert.Equal(domain, bytes[4..(4 + domain.Length)]);
    }

    [Fact]
    public void A_signature_by_another_key_does_not_verify()
    {
        var vote = _validators.Approve(0);
        var impostor = vote with { Signature = _validators[1].Sign(vote.SignedBytes(_validators.Set.Hash)) };
        Assert.False(_validators.Registry.IsValidVote(impostor));
    }

    [Fact]
    public void Malformed_votes_are_rejected_without_throwing()
    {
        var vote = _validators.Approve(0);
        Vote[] malformed =
        [
            vote with { ValidatorId = null! },
            vote with { ValidatorId = vote.ValidatorId.ToUpperInvariant() },
            vote with { ContentId = null! },
            vote with { ContentId = "" },
            vote with { ContentId = new string('a', 500) },
            vote with { Rules = null! },
            vote with { Rules = [null!] },
            vote with { Rules = Enumerable.Repeat("r", Vote.MaxRules + 1).ToArray() },
            vote with { Signature = null! },
            vote with { Signature = vote.Signature[..10] },
        ];
        foreach (var bad in malformed)
        {
            Assert.False(bad.IsWellFormed);
            Assert.False(_validators.Registry.IsValidVote(bad));
        }
    }

    [Fact]
    public void Votes_compare_by_value()
    {
        var vote = _validators.Reject(2, "profanity");
        var copy = vote with { Rules = vote.Rules.ToList(), Signature = vote.Signature.ToArray() };
        Assert.Equal(vote, copy);
        Assert.True(vote.SameStatementAs(copy));
        Assert.NotEqual(vote, _validators.Reject(2, "map.size"));
    }

    private static byte[] Flip(byte[] signature)
    {
        var copy = signature.ToArray();
        copy[17] ^= 0x01;
        return copy;
    }
}
