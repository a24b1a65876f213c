using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Tests.Consensus;

public class QuorumMathTests
{
    [Theory]
    [InlineData(1, 1, 0, false)]
    [InlineData(2, 2, 0, false)]
    [InlineData(3, 3, 0, false)]
    [InlineData(4, 3, 1, true)]
    [InlineData(5, 4, 1, true)]
    [InlineData(6, 5, 1, true)]
    [InlineData(7, 5, 2, true)]
    [InlineData(10, 7, 3, true)]
    [InlineData(100, 67, 33, true)]
    public void Threshold_and_faults(int n, int threshold, int f, bool tolerates)
    {
        Assert.Equal(threshold, QuorumMath.Threshold(n));
        Assert.Equal(f, QuorumMath.MaxFaulty(n));
        Assert.Equal(tolerates, QuorumMath.ToleratesByzantine(n));
    }

    [Fact]
    public void Any_two_quorums_share_an_honest_validator_up_to_f_faults()
    {
        for (var n = 1; n <= 200; n++)
        {
            var q = QuorumMath.Threshold(n);
            var f = QuorumMath.MaxFaulty(n);
            Assert.True(2 * q - n > f, $"n={n}: two quorums of {q} overlap in {2 * q - n}, not more than f={f}");
            Assert.True(n - f >= q, $"n={n}: the {n - f} honest validators cannot reach {q} alone");
        }
    }

    [Fact]
    public void Small_sets_say_they_tolerate_no_byzantine_peer()
    {
        Assert.Contains("tolerates no Byzantine peer", QuorumMath.Describe(3));
        Assert.Contains("tolerates 2 Byzantine", QuorumMath.Describe(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuorumMath.Threshold(0));
    }

    // English: one validator, one approval accepts; two or more validators, approvals accept. The numbers are the
    // The rule of docs/consensus.md (threshold ⌊2n/3⌋+1, f = ⌊(n−1)/3⌋) worked out by hand.
    [Theory]
    [InlineData(1, "1 validator: 1 approval accepts, tolerates no Byzantine peer (needs at least 4)")]
    [InlineData(2, "2 validators: 2 approvals accept, tolerates no Byzantine peer (needs at least 4)")]
    [InlineData(4, "4 validators: 3 approvals accept, tolerates 1 Byzantine")]
    [InlineData(10, "10 validators: 7 approvals accept, tolerates 3 Byzantine")]
    public void The_description_agrees_in_number(int validators, string expected) =>
        Assert.Equal(expected, QuorumMath.Describe(validators));
}
