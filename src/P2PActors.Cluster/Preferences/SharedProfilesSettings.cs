namespace P2PActors.Cluster.Preferences;

/// <summary>Tuning of shared-profile replication and of the recommendation index.</summary>
public sealed record SharedProfilesSettings
{
    /// <summary>DData keys the profiles are spread over; every node of a cluster must use the same number.</summary>
    public int Buckets { get; init; } = SharedProfileKeys.DefaultBuckets;

    /// <summary>A publication is pushed to a majority of nodes at once, waiting this long for their answers.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long after a change the index is rebuilt, so a burst of changes costs one build.</summary>
    public TimeSpan RebuildDelay { get; init; } = TimeSpan.FromSeconds(1);

    public SharedProfileKeys CreateKeys() => new(Buckets);
}
