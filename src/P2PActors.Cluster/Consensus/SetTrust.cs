namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Which attested validator sets a node may add to its registry: a set it did not witness becomes trusted once at
/// least f+1 members (f = <see cref="ValidatorSet.MaxFaulty"/>) of one set it already trusts signed an attestation of
/// exactly that set (epoch and hash). Applied until nothing more can be added, so trust can walk back through a chain
/// of epochs. f+1, not a quorum: an attestation vouches for a fact (an honest node held this set), and f+1 signers
/// include an honest one under the very assumption the trusted set's certificates rest on. A quorum could not be had
/// for a set formed while members were down: in a 3-node cluster (f = 0, quorum 3) a node that was down while the other
/// two formed a 2-node set never trusted it, and never listed what was shared meanwhile.
/// </summary>
public static class SetTrust
{
    /// <summary>
    /// The registry plus every set the attestations justify; attestations it cannot check count for nothing. Pure but
    /// for <paramref name="checks"/>, which remembers each signature's outcome so a caller applying this again and
    /// again checks each signature once.
    /// </summary>
    public static ValidatorRegistry Extend(ValidatorRegistry registry, IReadOnlyCollection<SetAttestation> attestations, AttestationChecks? checks = null)
    {
        checks ??= new AttestationChecks();
        ArgumentNullException.ThrowIfNull(registry);
        if (attestations.Count == 0)
            return registry;
        var candidates = attestations
            .Where(a => a?.Set is not null)
            .GroupBy(a => a.Set.Hash, StringComparer.Ordinal)
            .ToList();
        bool added;
        do
        {
            added = false;
            foreach (var group in candidates)
            {
                var set = group.First().Set;
                if (registry.TryGetSet(set.Epoch, out var known))
                    continue; // Known already, or a conflicting claim for an epoch this node has a set for.
                if (!Attested(registry, group.ToList(), checks))
                    continue;
                registry = registry.With(set);
                added = true;
            }
        }
        while (added);
        return registry;
    }

    private static bool Attested(ValidatorRegistry registry, IReadOnlyList<SetAttestation> group, AttestationChecks checks)
    {
        foreach (var trusted in registry.Sets)
        {
            var signers = new HashSet<string>(StringComparer.Ordinal);
            foreach (var attestation in group)
            {
                if (trusted.Contains(attestation.ValidatorId) && !signers.Contains(attestation.ValidatorId) &&
                    registry.TryGetKey(attestation.ValidatorId, out var key) && checks.Verify(attestation, key))
                    signers.Add(attestation.ValidatorId);
            }
            if (signers.Count >= trusted.MaxFaulty + 1)
                return true;
        }
        return false;
    }
}
