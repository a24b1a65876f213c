namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Byzantine quorum arithmetic for a validator set of n: any two quorums of ⌊2n/3⌋+1 overlap in at
/// least one honest validator as long as at most f = ⌊(n−1)/3⌋ validators are faulty.
/// </summary>
public static class QuorumMath
{
    /// <summary>Approvals needed to accept: ⌊2n/3⌋ + 1.</summary>
    public static int Threshold(int validators)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validators);
        return 2 * validators / 3 + 1;
    }

    /// <summary>How many Byzantine validators the set tolerates: ⌊(n−1)/3⌋.</summary>
    public static int MaxFaulty(int validators)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(validators);
        return (validators - 1) / 3;
    }

    /// <summary>Fewer than 4 validators work, but a single Byzantine peer can then break agreement.</summary>
    public static bool ToleratesByzantine(int validators) => MaxFaulty(validators) >= 1;

    /// <summary>A one-line description for logs and the validator API.</summary>
    public static string Describe(int validators)
    {
        var threshold = Threshold(validators);
        var set = $"{validators} validator{(validators == 1 ? "" : "s")}: {threshold} {(threshold == 1 ? "approval accepts" : "approvals accept")}";
        return ToleratesByzantine(validators)
            ? $"{set}, tolerates {MaxFaulty(validators)} Byzantine"
            : $"{set}, tolerates no Byzantine peer (needs at least 4)";
    }
}
