using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// What this node knows about validators: the set of every membership epoch it has seen, and each
/// member's imported public key. Immutable; the cluster layer builds it from the replicated registry.
/// Only keys of registered sets are known, so a vote signed by any other key never counts.
/// </summary>
public sealed class ValidatorRegistry
{
    public static readonly ValidatorRegistry Empty = new(ImmutableSortedDictionary<long, ValidatorSet>.Empty, ImmutableDictionary<string, PublicKey>.Empty);

    private readonly ImmutableSortedDictionary<long, ValidatorSet> _sets;
    private readonly ImmutableDictionary<string, PublicKey> _keys;

    private ValidatorRegistry(ImmutableSortedDictionary<long, ValidatorSet> sets, ImmutableDictionary<string, PublicKey> keys)
    {
        _sets = sets;
        _keys = keys;
    }

    public IEnumerable<ValidatorSet> Sets => _sets.Values;

    /// <summary>
    /// Registers the set of an epoch. Registering the same set again is a no-op; a different set for an
    /// epoch already known is refused, because certificates of that epoch would become ambiguous.
    /// </summary>
    public ValidatorRegistry With(ValidatorSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (_sets.TryGetValue(set.Epoch, out var known))
        {
            return known.Equals(set)
                ? this
                : throw new ArgumentException($"Epoch {set.Epoch} is already registered with a different validator set.", nameof(set));
        }
        var keys = _keys;
        foreach (var member in set.Members)
        {
            if (keys.ContainsKey(member))
                continue;
            if (!ValidatorKeys.TryParse(member, out var key))
                throw new ArgumentException($"Validator id '{member}' is not an Ed25519 public key.", nameof(set));
            keys = keys.Add(member, key);
        }
        return new ValidatorRegistry(_sets.Add(set.Epoch, set), keys);
    }

    public bool TryGetSet(long epoch, [NotNullWhen(true)] out ValidatorSet? set) => _sets.TryGetValue(epoch, out set);

    public bool TryGetKey(string? validatorId, [NotNullWhen(true)] out PublicKey? key)
    {
        key = null;
        return validatorId is not null && _keys.TryGetValue(validatorId, out key);
    }

    /// <summary>Whether the vote is signed, for the set of its epoch, by a registered key that belongs to that set.</summary>
    public bool IsValidVote(Vote vote, VerifiedSignatureCache? signatures = null) =>
        vote is not null &&
        TryGetSet(vote.Epoch, out var set) &&
        set.Contains(vote.ValidatorId) &&
        TryGetKey(vote.ValidatorId, out var key) &&
        vote.VerifySignature(key, set.Hash, signatures);
}
