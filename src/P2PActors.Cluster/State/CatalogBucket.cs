using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.State;

/// <summary>
/// One entry of a <see cref="CatalogBucket"/>: the header, and when (Unix ms) and by which node incarnation it was
/// written. The newest write wins; see <see cref="CatalogBucket.Newer"/>.
/// </summary>
public sealed class CatalogSlot : IEquatable<CatalogSlot>
{
    public CatalogSlot(CatalogHeader header, long timestamp, string node)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(node);
        Header = header;
        Timestamp = timestamp;
        Node = node;
    }

    public CatalogHeader Header { get; }

    public long Timestamp { get; }

    public string Node { get; }

    /// <summary>
    /// The slot's JSON, as the bucket writes it. Made on demand, not kept: a bucket is written by encoding its slots
    /// straight into the output (about a microsecond per entry), and keeping each slot's bytes would almost double
    /// the memory of a large catalog on every node.
    /// </summary>
    public byte[] ToUtf8Json()
    {
        var (buffer, writer) = Scratch();
        Write(writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? _scratchBuffer;
    [ThreadStatic] private static Utf8JsonWriter? _scratchWriter;

    /// <summary>
    /// This thread's buffer and writer, emptied: the durable store writes every new slot on every node, and a fresh
    /// 1 KiB buffer grew twice for each 2.3 KB header (about 4 % of a sharing run's allocations, 2026-12-05).
    /// </summary>
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) Scratch()
    {
        var buffer = _scratchBuffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = _scratchWriter ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        return (buffer, writer);
    }

    /// <summary>
    /// A slot from the JSON <see cref="ToUtf8Json"/> wrote, read as strictly as a bucket's entries are: anything else
    /// (no stamp, a negative one, no node, no header, trailing bytes) is a <see cref="JsonException"/>.
    /// </summary>
    public static CatalogSlot FromUtf8Json(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        reader.Read();
        var slot = CatalogBucket.ReadSlot(ref reader, P2PJsonSerializer.ValueOptions);
        if (reader.Read())
            throw new JsonException("a catalog slot must be exactly one JSON object");
        return slot;
    }

    /// <summary>
    /// One id's variants as one JSON value: the slot object itself when there is one (the bytes a release before
    /// variants wrote), an array of slot objects when there are more.
    /// </summary>
    public static byte[] ToUtf8Json(IReadOnlyList<CatalogSlot> variants)
    {
        if (variants.Count == 1) return variants[0].ToUtf8Json();
        var (buffer, writer) = Scratch();
        writer.WriteStartArray();
        foreach (var variant in variants) variant.Write(writer);
        writer.WriteEndArray();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The slots <see cref="ToUtf8Json(IReadOnlyList{CatalogSlot})"/> wrote (one object, or an array of them), read as strictly.</summary>
    public static IReadOnlyList<CatalogSlot> ManyFromUtf8Json(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray) return [FromUtf8Json(utf8Json)];
        var slots = new List<CatalogSlot>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            slots.Add(CatalogBucket.ReadSlot(ref reader, P2PJsonSerializer.ValueOptions));
        if (reader.TokenType != JsonTokenType.EndArray || slots.Count == 0 || reader.Read())
            throw new JsonException("catalog slots must be one slot object or a non-empty array of them");
        return slots;
    }

    internal void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("ts"u8, Timestamp);
        writer.WriteString("node"u8, Node);
        writer.WritePropertyName("header"u8);
        JsonSerializer.Serialize(writer, Header, P2PJsonSerializer.ValueOptions);
        writer.WriteEndObject();
    }

    public bool Equals(CatalogSlot? other) =>
        other is not null && (ReferenceEquals(this, other)
            || (Timestamp == other.Timestamp && string.Equals(Node, other.Node, StringComparison.Ordinal) && Header.Equals(other.Header)));

    public override bool Equals(object? obj) => Equals(obj as CatalogSlot);

    public override int GetHashCode() => HashCode.Combine(Header.Id, Timestamp);
}

/// <summary>
/// One bucket of the shared catalog: content id → every distinct header written for it, the newest first.
/// <para>
/// Distinct headers of one id are kept side by side, not resolved by last-writer-wins: the replicator does not
/// authenticate writers, so a Byzantine peer can stamp a forged header with any time and any node id, and under
/// last-writer-wins a stamp of <see cref="long.MaxValue"/> kept the genuine header out of the bucket for good (the
/// holder's rewrites lost every merge). Only a node's admission can tell a genuine header from a forged one, and it is
/// node-local, so the merge keeps both and each reader lists the newest header it admits
/// (<see cref="TryGetAdmitted"/>). A forger gains nothing over writing entries under new ids, which it can do anyway.
/// Two writes of an equal header are one variant: the later stamp, then the greater node id, wins (<see cref="Newer"/>).
/// The newest variant of each id is held apart from the others, which only ids written with differing headers have, so
/// an honest catalog costs no more memory than one slot per entry.
/// </para>
/// <para>
/// It replaces Akka's <c>LWWDictionary</c> for the catalog (measured, docs/benchmarks.md "Catalog buckets"): Akka's
/// serializer writes a map as protobuf compressed with gzip at its default level, and the replicator serialises the
/// whole bucket for every durable store, digest and gossip — the canonical serializer then inflated, sorted and
/// deflated it again. With sharing, that was the biggest cost after the vote itself, and it grew with the catalog.
/// Here the entries are kept sorted, so the bytes are canonical as written, and a bucket is plain JSON: no compression,
/// no second pass.
/// </para>
/// It is its own delta type, like <see cref="InventoryBucket"/>: a delta is the bucket restricted to the entries an
/// update touched, and merging any part of a state is a valid join, so deltas need no causal delivery.
/// </summary>
[JsonConverter(typeof(CatalogBucketJsonConverter))]
public sealed class CatalogBucket :
    IDeltaReplicatedData<CatalogBucket, CatalogBucket>,
    IReplicatedDelta,
    IEquatable<CatalogBucket>,
    IP2PMessage
{
    public static readonly CatalogBucket Empty = new(
        ImmutableSortedDictionary.Create<string, CatalogSlot>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<string, ImmutableArray<CatalogSlot>>(StringComparer.Ordinal),
        null);

    /// <summary>Node id of the deterministic conversion of an Akka <c>LWWDictionary</c> bucket (see <see cref="FromLegacy"/>).</summary>
    public const string LegacyNode = "legacy";

    /// <summary>The newest variant of each id.</summary>
    private readonly ImmutableSortedDictionary<string, CatalogSlot> _slots;
    /// <summary>The other variants of the ids written with differing headers, newest first; no entry for any other id.</summary>
    private readonly ImmutableSortedDictionary<string, ImmutableArray<CatalogSlot>> _older;
    private readonly CatalogBucket? _delta;

    private CatalogBucket(
        ImmutableSortedDictionary<string, CatalogSlot> slots, ImmutableSortedDictionary<string, ImmutableArray<CatalogSlot>> older, CatalogBucket? delta)
    {
        _slots = slots;
        _older = older;
        _delta = delta;
    }

    /// <summary>A bucket of these slots (a peer's, read back): of two slots with equal headers for one id the newer is kept.</summary>
    public static CatalogBucket FromSlots(IEnumerable<CatalogSlot> slots)
    {
        var byId = new Dictionary<string, List<CatalogSlot>>(StringComparer.Ordinal);
        foreach (var slot in slots)
        {
            ArgumentNullException.ThrowIfNull(slot);
            if (StateValidation.AsStored(slot.Header.Id, StateValidation.CatalogId) is { } error) throw new ArgumentException(error);
            if (!byId.TryGetValue(slot.Header.Id, out var list)) byId[slot.Header.Id] = list = [];
            list.Add(slot);
        }
        var newest = ImmutableSortedDictionary.CreateBuilder<string, CatalogSlot>(StringComparer.Ordinal);
        var older = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<CatalogSlot>>(StringComparer.Ordinal);
        foreach (var (id, list) in byId)
        {
            var variants = Join(list);
            newest[id] = variants[0];
            if (variants.Length > 1) older[id] = variants[1..];
        }
        return new CatalogBucket(newest.ToImmutable(), older.ToImmutable(), null);
    }

    /// <summary>How many ids the bucket holds.</summary>
    public int Count => _slots.Count;

    /// <summary>The newest variant of each id, in id order (what a release before variants kept).</summary>
    public IReadOnlyDictionary<string, CatalogSlot> Slots => _slots;

    /// <summary>Every variant of every id, in id order, the newest of each id first: what the bucket writes.</summary>
    public IEnumerable<CatalogSlot> AllSlots
    {
        get
        {
            foreach (var (id, slot) in _slots)
            {
                yield return slot;
                if (_older.TryGetValue(id, out var older))
                    foreach (var variant in older) yield return variant;
            }
        }
    }

    /// <summary>How many slots the bucket holds, every variant counted.</summary>
    public int SlotCount => _slots.Count + _older.Values.Sum(v => v.Length);

    public bool ContainsKey(string id) => _slots.ContainsKey(id);

    /// <summary>The distinct headers written for <paramref name="id"/>, newest first; empty when there is none.</summary>
    public IReadOnlyList<CatalogSlot> Variants(string id) =>
        !_slots.TryGetValue(id, out var newest) ? []
        : _older.TryGetValue(id, out var older) ? [newest, .. older]
        : [newest];

    /// <summary>The newest header of <paramref name="id"/> that <paramref name="admission"/> admits.</summary>
    public bool TryGetAdmitted(string id, ICatalogAdmission admission, out CatalogHeader header)
    {
        header = null!;
        if (!_slots.TryGetValue(id, out var newest)) return false;
        if (admission.Admit(newest.Header))
        {
            header = newest.Header;
            return true;
        }
        if (!_older.TryGetValue(id, out var older)) return false;
        foreach (var variant in older)
        {
            if (!admission.Admit(variant.Header)) continue;
            header = variant.Header;
            return true;
        }
        return false;
    }

    /// <summary>For each id, the newest header <paramref name="admission"/> admits, in id order; ids with none are left out.</summary>
    public IEnumerable<CatalogHeader> Admitted(ICatalogAdmission admission)
    {
        foreach (var id in _slots.Keys)
            if (TryGetAdmitted(id, admission, out var header))
                yield return header;
    }

    /// <summary>
    /// This bucket without the variants <paramref name="admission"/> refutes (<see cref="ICatalogAdmission.Refutes"/>);
    /// this very bucket when it holds none. A node takes every peer's bucket through it, so what a Byzantine writer
    /// forges never enters the node's replica: it is not stored, gossiped on or digested again with each bucket
    /// change. Dropping is safe for the join: every node that knows the validator set drops the same variants, and a
    /// variant no node can vouch for is one no node lists.
    /// </summary>
    public CatalogBucket WithoutRefuted(ICatalogAdmission admission)
    {
        List<CatalogSlot>? kept = null;
        var seen = 0;
        foreach (var slot in AllSlots)
        {
            if (admission.Refutes(slot.Header))
                kept ??= [.. AllSlots.Take(seen)];
            else
                kept?.Add(slot);
            seen++;
        }
        return kept is null ? this : FromSlots(kept);
    }

    /// <summary>Whether both buckets hold the same variants of <paramref name="id"/> (the same slot objects, or equal ones).</summary>
    public bool SameVariants(CatalogBucket other, string id)
    {
        var mine = _slots.TryGetValue(id, out var a);
        var theirs = other._slots.TryGetValue(id, out var b);
        if (mine != theirs) return false;
        if (!mine) return true;
        if (!ReferenceEquals(a, b) && !a!.Equals(b)) return false;
        var olderMine = _older.TryGetValue(id, out var x);
        var olderTheirs = other._older.TryGetValue(id, out var y);
        return olderMine == olderTheirs && (!olderMine || x == y || x.SequenceEqual(y));
    }

    /// <summary>
    /// The header written by <paramref name="node"/> now: stamped with this node's clock in Unix ms, or one more than the
    /// newest variant's stamp where that is ahead (a peer's clock running fast), so it is the newest variant here. A
    /// header equal to one the bucket holds changes nothing.
    /// </summary>
    public CatalogBucket SetItem(UniqueAddress node, CatalogHeader header) =>
        SetItem(InventoryBucket.NodeId(node), header, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public CatalogBucket SetItem(string node, CatalogHeader header, long nowMs)
    {
        if (StateValidation.CatalogId(header.Id) is { } error) throw new ArgumentException(error, nameof(header));
        if (_slots.TryGetValue(header.Id, out var held)
            && (held.Header.Equals(header) || (_older.TryGetValue(header.Id, out var older) && older.Any(v => v.Header.Equals(header)))))
            return this;
        var stamp = held is not null && held.Timestamp >= nowMs
            ? (held.Timestamp == long.MaxValue ? long.MaxValue : held.Timestamp + 1)
            : nowMs;
        var change = new CatalogBucket(_slots.Clear().Add(header.Id, new CatalogSlot(header, stamp, node)), _older.Clear(), null);
        var merged = Merge(change);
        return new CatalogBucket(merged._slots, merged._older, _delta is null ? change : _delta.Merge(change));
    }

    /// <summary>
    /// Whether <paramref name="a"/> wins over <paramref name="b"/>: the later stamp, then the greater node id, then
    /// the greater JSON bytes — an order every replica computes alike, so merges commute. It orders the variants of an id,
    /// and picks which of two slots with equal headers is kept.
    /// </summary>
    public static bool Newer(CatalogSlot a, CatalogSlot b)
    {
        if (a.Timestamp != b.Timestamp) return a.Timestamp > b.Timestamp;
        var byNode = string.CompareOrdinal(a.Node, b.Node);
        if (byNode != 0) return byNode > 0;
        return !ReferenceEquals(a, b) && !a.Header.Equals(b.Header) && a.ToUtf8Json().AsSpan().SequenceCompareTo(b.ToUtf8Json()) > 0;
    }

    /// <summary>The variants among <paramref name="slots"/> (one id's): one slot per distinct header, the newer of equals, newest first.</summary>
    private static ImmutableArray<CatalogSlot> Join(IEnumerable<CatalogSlot> slots)
    {
        // By header, not by a scan of the kept ones: a Byzantine writer decides how many variants an id has.
        var kept = new Dictionary<CatalogHeader, CatalogSlot>();
        foreach (var slot in slots)
            if (!kept.TryGetValue(slot.Header, out var held) || Newer(slot, held))
                kept[slot.Header] = slot;
        var sorted = kept.Values.ToList();
        sorted.Sort((x, y) => ReferenceEquals(x, y) ? 0 : Newer(x, y) ? -1 : 1);
        return [.. sorted];
    }

    public CatalogBucket Merge(CatalogBucket other)
    {
        if (ReferenceEquals(this, other) || other._slots.IsEmpty) return ResetDelta();
        if (_slots.IsEmpty) return other.ResetDelta();
        ImmutableSortedDictionary<string, CatalogSlot>.Builder? slots = null;
        ImmutableSortedDictionary<string, ImmutableArray<CatalogSlot>>.Builder? older = null;
        foreach (var (id, theirs) in other._slots)
        {
            var theirOlder = other._older.TryGetValue(id, out var o) ? o : [];
            if (!_slots.TryGetValue(id, out var mine))
            {
                (slots ??= _slots.ToBuilder())[id] = theirs;
                if (theirOlder.Length > 0) (older ??= _older.ToBuilder())[id] = theirOlder;
                continue;
            }
            var myOlder = _older.TryGetValue(id, out var m) ? m : [];
            if (ReferenceEquals(mine, theirs) && myOlder == theirOlder) continue;
            // The common case, one header on both sides: the newer slot of the two, as before variants.
            if (myOlder.Length == 0 && theirOlder.Length == 0 && (ReferenceEquals(mine.Header, theirs.Header) || mine.Header.Equals(theirs.Header)))
            {
                if (Newer(theirs, mine)) (slots ??= _slots.ToBuilder())[id] = theirs;
                continue;
            }
            var joined = Join([mine, .. myOlder, theirs, .. theirOlder]);
            if (ReferenceEquals(joined[0], mine) && joined.AsSpan()[1..].SequenceEqual(myOlder.AsSpan())) continue;
            (slots ??= _slots.ToBuilder())[id] = joined[0];
            older ??= _older.ToBuilder();
            if (joined.Length > 1) older[id] = joined[1..];
            else older.Remove(id);
        }
        return slots is null && older is null
            ? ResetDelta()
            : new CatalogBucket(slots?.ToImmutable() ?? _slots, older?.ToImmutable() ?? _older, null);
    }

    public IReplicatedData Merge(IReplicatedData other) => Merge((CatalogBucket)other);

    /// <summary>
    /// The deterministic image of a bucket written by an earlier release (Akka's <c>LWWDictionary</c>): every entry
    /// stamped 0 by the pseudo-node <see cref="LegacyNode"/>. Every node converting the same old data gets the same
    /// slots, so conversions merge idempotently, and any write since is a newer variant. Entries whose id is not a
    /// content id, or is not their header's id, are left out.
    /// </summary>
    public static CatalogBucket FromLegacy(LWWDictionary<string, CatalogHeader> legacy) =>
        FromSlots(legacy.Entries
            .Where(e => e.Value is not null && string.Equals(e.Key, e.Value.Id, StringComparison.Ordinal) && StateValidation.CatalogId(e.Key) is null)
            .Select(e => new CatalogSlot(e.Value, 0, LegacyNode)));

    [JsonIgnore]
    public CatalogBucket? Delta => _delta;

    // Akka declares these non-nullable but reads null as "no delta" (the replicator then ships the full state).
    CatalogBucket IDeltaReplicatedData<CatalogBucket, CatalogBucket>.Delta => _delta!;

    IReplicatedDelta IDeltaReplicatedData.Delta => _delta!;

    [JsonIgnore]
    public IDeltaReplicatedData Zero => Empty;

    public CatalogBucket MergeDelta(CatalogBucket delta) => Merge(delta);

    IReplicatedData IDeltaReplicatedData.MergeDelta(IReplicatedDelta delta) => Merge((CatalogBucket)delta);

    public CatalogBucket ResetDelta() => _delta is null ? this : new CatalogBucket(_slots, _older, null);

    IReplicatedData IDeltaReplicatedData.ResetDelta() => ResetDelta();

    /// <summary>Equal slots and variants. The replicator asks this of every bucket gossiped to it.</summary>
    public bool Equals(CatalogBucket? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(_slots, other._slots) && ReferenceEquals(_older, other._older)) return true;
        if (_slots.Count != other._slots.Count || _older.Count != other._older.Count) return false;
        // Both sorted by one comparer: walked side by side, without a lookup per id.
        using var theirs = other._slots.GetEnumerator();
        foreach (var (id, slot) in _slots)
        {
            theirs.MoveNext();
            var (theirId, theirSlot) = theirs.Current;
            if (!string.Equals(id, theirId, StringComparison.Ordinal) || !(ReferenceEquals(slot, theirSlot) || slot.Equals(theirSlot))) return false;
        }
        foreach (var (id, older) in _older)
            if (!other._older.TryGetValue(id, out var theirOlder) || !(older == theirOlder || older.SequenceEqual(theirOlder))) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is CatalogBucket other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (id, slot) in _slots)
        {
            hash.Add(id, StringComparer.Ordinal);
            hash.Add(slot.Timestamp);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => $"CatalogBucket({_slots.Count} entries)";

    /// <summary>
    /// <c>{"entries":[{"ts":…,"node":"…","header":{…}},…]}</c> in id order, the variants of an id newest first, so equal
    /// buckets write equal bytes (a release before variants reads them as before: the newest slot of an id wins);
    /// read strictly: anything malformed (a peer's bytes) fails the whole value, and the replicator drops the message.
    /// </summary>
    private sealed class CatalogBucketJsonConverter : JsonConverter<CatalogBucket>
    {
        public override CatalogBucket Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            Expect(ref reader, JsonTokenType.StartObject);
            var slots = new List<CatalogSlot>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("entries"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                reader.Read();
                Expect(ref reader, JsonTokenType.StartArray);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    slots.Add(ReadSlot(ref reader, options));
            }
            Expect(ref reader, JsonTokenType.EndObject);
            try
            {
                return FromSlots(slots);
            }
            catch (ArgumentException e)
            {
                throw new JsonException(e.Message, e);
            }
        }

        public override void Write(Utf8JsonWriter writer, CatalogBucket value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("entries"u8);
            foreach (var slot in value.AllSlots)
                slot.Write(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
    }

    /// <summary>Longest node id read: an address and a uid, with room to spare.</summary>
    private const int MaxNodeLength = 512;

    /// <summary>One slot object at the reader's current token: a bucket's entry, or a slot stored on its own.</summary>
    internal static CatalogSlot ReadSlot(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        long? ts = null;
        string? node = null;
        CatalogHeader? header = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ts"u8)) { reader.Read(); ts = reader.GetInt64(); }
            else if (reader.ValueTextEquals("node"u8)) { reader.Read(); node = reader.GetString(); }
            else if (reader.ValueTextEquals("header"u8)) { reader.Read(); header = JsonSerializer.Deserialize<CatalogHeader>(ref reader, options); }
            else { reader.Read(); reader.Skip(); }
        }
        Expect(ref reader, JsonTokenType.EndObject);
        if (ts is not { } stamp || stamp < 0 || string.IsNullOrEmpty(node) || node.Length > MaxNodeLength || header is null)
            throw new JsonException("a catalog slot needs ts (≥ 0), node and header");
        return new CatalogSlot(header, stamp, node);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type) throw new JsonException($"expected {type} in a catalog bucket, found {reader.TokenType}");
    }
}

public sealed class CatalogBucketKey(string id) : Key<CatalogBucket>(id);
