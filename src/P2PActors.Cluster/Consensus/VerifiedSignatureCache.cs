using System.Collections.Concurrent;
using NSec.Cryptography;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Batch signatures this node has already checked, so the other votes of a batch cost only their Merkle branch.
/// Only successes go in, keyed by the exact signed message (batch domain, validator id, leaf count, root) and the
/// exact signature bytes; a hit also needs the same public key. Thread-safe and bounded: past
/// <see cref="Capacity"/> the oldest entries go first.
/// </summary>
public sealed class VerifiedSignatureCache
{
    public const int DefaultCapacity = 16_384;

    private readonly ConcurrentDictionary<Entry, PublicKey> _verified;
    private readonly ConcurrentDictionary<Entry, PublicKey>.AlternateLookup<SpanEntry> _bySpan;
    private readonly ConcurrentQueue<Entry> _order = new();
    private long _count;
    private long _hits;
    private long _misses;

    public VerifiedSignatureCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _verified = new ConcurrentDictionary<Entry, PublicKey>(EntryComparer.Instance);
        _bySpan = _verified.GetAlternateLookup<SpanEntry>();
    }

    public int Capacity { get; }

    public int Count => (int)Interlocked.Read(ref _count);

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>
    /// Whether <paramref name="key"/> signed <paramref name="message"/> with <paramref name="signature"/>: from the
    /// cache when this exact triple verified before, otherwise by Ed25519 (and remembered when it holds).
    /// </summary>
    public bool Verify(PublicKey key, byte[] message, byte[] signature) =>
        message is not null && Verify(key, message.AsSpan(), signature);

    /// <summary>
    /// <see cref="Verify(PublicKey, byte[], byte[])"/> for a message that need not be an array (a vote's signed
    /// message written on a scratch buffer): a hit allocates nothing; a success is remembered under copies.
    /// </summary>
    public bool Verify(PublicKey key, ReadOnlySpan<byte> message, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (signature is not { Length: ValidatorKeys.SignatureLength })
            return false;
        if (_bySpan.TryGetValue(new SpanEntry(message, signature), out var signer) && signer.Equals(key))
        {
            Interlocked.Increment(ref _hits);
            return true;
        }
        Interlocked.Increment(ref _misses);
        if (!ValidatorKeys.Verify(key, message, signature))
            return false;
        Remember(key, message, signature);
        return true;
    }

    /// <summary>
    /// Enters a signature this node has just made with its own key: true by construction, so it needs no check, and
    /// the first certificate holding this node's vote of that batch finds it (the coordinator never verifies its own
    /// validator's votes, so otherwise the node's first look at its own signature was an Ed25519 check). Only ever
    /// called by the signer (<see cref="VoteMerkle.Sign"/>) with the key it signed with; never with peer input.
    /// </summary>
    internal void RememberOwn(PublicKey key, byte[] message, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        if (signature is not { Length: ValidatorKeys.SignatureLength })
            throw new ArgumentException("not an Ed25519 signature", nameof(signature));
        Remember(key, message, signature);
    }

    private void Remember(PublicKey key, ReadOnlySpan<byte> message, byte[] signature)
    {
        // Copies: the caller's arrays may be shared with a record a peer sent us, and a cached key must never change.
        var owned = new Entry(message.ToArray(), signature.ToArray());
        if (_verified.TryAdd(owned, key))
        {
            _order.Enqueue(owned);
            if (Interlocked.Increment(ref _count) > Capacity)
                Evict();
        }
    }

    private void Evict()
    {
        while (Interlocked.Read(ref _count) > Capacity && _order.TryDequeue(out var oldest))
        {
            if (_verified.TryRemove(oldest, out _))
                Interlocked.Decrement(ref _count);
        }
    }

    private readonly struct Entry(byte[] message, byte[] signature)
    {
        public byte[] Message { get; } = message;

        public byte[] Signature { get; } = signature;
    }

    /// <summary>A lookup key over spans; equal to an <see cref="Entry"/> exactly when both byte sequences are.</summary>
    private readonly ref struct SpanEntry(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        public ReadOnlySpan<byte> Message { get; } = message;

        public ReadOnlySpan<byte> Signature { get; } = signature;
    }

    /// <summary>
    /// Compares whole byte sequences, for stored entries and span lookups alike (one hash for both: signature, then
    /// message). A span lookup is only ever a read: <see cref="Create"/> copies, though nothing here adds through it.
    /// </summary>
    private sealed class EntryComparer : IEqualityComparer<Entry>, IAlternateEqualityComparer<SpanEntry, Entry>
    {
        public static readonly EntryComparer Instance = new();

        public bool Equals(Entry x, Entry y) => Same(x.Message, x.Signature, y);

        public int GetHashCode(Entry entry) => Hash(entry.Message, entry.Signature);

        public bool Equals(SpanEntry alternate, Entry other) => Same(alternate.Message, alternate.Signature, other);

        public int GetHashCode(SpanEntry alternate) => Hash(alternate.Message, alternate.Signature);

        public Entry Create(SpanEntry alternate) => new(alternate.Message.ToArray(), alternate.Signature.ToArray());

        private static bool Same(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, Entry other) =>
            signature.SequenceEqual(other.Signature) && message.SequenceEqual(other.Message);

        private static int Hash(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
        {
            var hash = new HashCode();
            hash.AddBytes(signature);
            hash.AddBytes(message);
            return hash.ToHashCode();
        }
    }
}
