using NSec.Cryptography;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// The outcome of every attestation signature this node has checked. An attestation's signature says the same whatever
/// the registry holds (the key is the validator id itself), so it is checked once per node: the registry applies
/// <see cref="SetTrust.Extend"/> to every attestation twice a second, and without this a validator of a trusted set
/// could write thousands of attestations of sets nobody else vouches for (valid signatures, never enough signers) and
/// have every node verify all of them on every tick, a core's worth of Ed25519 for good.
/// </summary>
public sealed class AttestationChecks
{
    private readonly Dictionary<SetAttestation, bool> _outcomes = [];
    private readonly Func<SetAttestation, PublicKey, bool> _verify;

    /// <param name="verify">The check itself; by default <see cref="SetAttestation.VerifyWith"/>.</param>
    public AttestationChecks(Func<SetAttestation, PublicKey, bool>? verify = null) =>
        _verify = verify ?? ((attestation, key) => attestation.VerifyWith(key));

    /// <summary>Signatures checked so far.</summary>
    public int Count => _outcomes.Count;

    /// <summary>Whether <paramref name="key"/> (the key of the attestation's validator id) signed it; checked only the first time.</summary>
    public bool Verify(SetAttestation attestation, PublicKey key)
    {
        // Keyed by the record: its equality is what the signature covers (set hash, validator) and the signature itself.
        if (!_outcomes.TryGetValue(attestation, out var valid))
            _outcomes[attestation] = valid = _verify(attestation, key);
        return valid;
    }
}
