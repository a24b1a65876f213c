using System.Buffers;
using System.Collections;
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
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer);
        return buffer.WrittenSpan.ToArray();
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
/// One bucket of the shared catalog: content id → the newest header written for it (a last-writer-wins map).
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
    public static readonly CatalogBucket Empty = new(ImmutableSortedDictionary.Create<string, CatalogSlot>(StringComparer.Ordinal), null);

    /// <summary>Node id of the deterministic conversion of an Akka <c>LWWDictionary</c> bucket (see <see cref="FromLegacy"/>).</summary>
    public const string LegacyNode = "legacy";

    private readonly ImmutableSortedDictionary<string, CatalogSlot> _slots;
    private readonly CatalogBucket? _delta;
    private readonly HeaderView _headers;

    private CatalogBucket(ImmutableSortedDictionary<string, CatalogSlot> slots, CatalogBucket? delta)
    {
        _slots = slots;
        _delta = delta;
        _headers = new HeaderView(slots);
    }

    /// <summary>A bucket of these slots (a peer's, read back); of two slots for one id the newer is kept.</summary>
    public static CatalogBucket FromSlots(IEnumerable<CatalogSlot> slots)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, CatalogSlot>(StringComparer.Ordinal);
        foreach (var slot in slots)
        {
            ArgumentNullException.ThrowIfNull(slot);
            if (StateValidation.CatalogId(slot.Header.Id) is { } error) throw new ArgumentException(error);
            if (!builder.TryGetValue(slot.Header.Id, out var held) || Newer(slot, held)) builder[slot.Header.Id] = slot;
        }
        return new CatalogBucket(builder.ToImmutable(), null);
    }

    public int Count => _slots.Count;

    public IReadOnlyDictionary<string, CatalogSlot> Slots => _slots;

    /// <summary>Content id → header, in id order.</summary>
    public IReadOnlyDictionary<string, CatalogHeader> Entries => _headers;

    public bool ContainsKey(string id) => _slots.ContainsKey(id);

    public bool TryGetValue(string id, out CatalogHeader header) => _headers.TryGetValue(id, out header);

    /// <summary>
    /// The header written by <paramref name="node"/> now: stamped with this node's clock in Unix ms, or one more than the
    /// entry's stamp where that is ahead (a peer's clock running fast), so a write always replaces what this replica held.
    /// </summary>
    public CatalogBucket SetItem(UniqueAddress node, CatalogHeader header) =>
        SetItem(InventoryBucket.NodeId(node), header, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public CatalogBucket SetItem(string node, CatalogHeader header, long nowMs)
    {
        if (StateValidation.CatalogId(header.Id) is { } error) throw new ArgumentException(error, nameof(header));
        var stamp = _slots.TryGetValue(header.Id, out var held) && held.Timestamp >= nowMs
            ? (held.Timestamp == long.MaxValue ? long.MaxValue : held.Timestamp + 1)
            : nowMs;
        var slot = new CatalogSlot(header, stamp, node);
        var change = new CatalogBucket(ImmutableSortedDictionary.Create<string, CatalogSlot>(StringComparer.Ordinal).Add(header.Id, slot), null);
        return new CatalogBucket(_slots.SetItem(header.Id, slot), _delta is null ? change : _delta.Merge(change));
    }

    /// <summary>
    /// Whether <paramref name="a"/> wins over <paramref name="b"/>: the later stamp, then the greater node id, then (the
    /// same writer and stamp twice, which only a faulty or Byzantine node writes) the greater JSON bytes — an order
    /// every replica computes alike, so merges commute.
    /// </summary>
    public static bool Newer(CatalogSlot a, CatalogSlot b)
    {
        if (a.Timestamp != b.Timestamp) return a.Timestamp > b.Timestamp;
        var byNode = string.CompareOrdinal(a.Node, b.Node);
        if (byNode != 0) return byNode > 0;
        return !ReferenceEquals(a, b) && !a.Header.Equals(b.Header) && a.ToUtf8Json().AsSpan().SequenceCompareTo(b.ToUtf8Json()) > 0;
    }

    public CatalogBucket Merge(CatalogBucket other)
    {
        if (ReferenceEquals(this, other) || other._slots.IsEmpty) return ResetDelta();
        if (_slots.IsEmpty) return other.ResetDelta();
        ImmutableSortedDictionary<string, CatalogSlot>.Builder? merged = null;
        foreach (var (id, theirs) in other._slots)
        {
            if (_slots.TryGetValue(id, out var mine) && (ReferenceEquals(mine, theirs) || !Newer(theirs, mine))) continue;
            merged ??= _slots.ToBuilder();
            merged[id] = theirs;
        }
        return merged is null ? ResetDelta() : new CatalogBucket(merged.ToImmutable(), null);
    }

    public IReplicatedData Merge(IReplicatedData other) => Merge((CatalogBucket)other);

    /// <summary>
    /// The deterministic image of a bucket written by an earlier release (Akka's <c>LWWDictionary</c>): every entry
    /// stamped 0 by the pseudo-node <see cref="LegacyNode"/>. Every node converting the same old data gets the same
    /// slots, so conversions merge idempotently, and any write since wins over them. Entries whose id is not a
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

    public CatalogBucket ResetDelta() => _delta is null ? this : new CatalogBucket(_slots, null);

    IReplicatedData IDeltaReplicatedData.ResetDelta() => ResetDelta();

    public bool Equals(CatalogBucket? other) =>
        other is not null
        && (ReferenceEquals(_slots, other._slots)
            || (_slots.Count == other._slots.Count && _slots.All(kv => other._slots.TryGetValue(kv.Key, out var slot) && slot.Equals(kv.Value))));

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

    private sealed class HeaderView(ImmutableSortedDictionary<string, CatalogSlot> slots) : IReadOnlyDictionary<string, CatalogHeader>
    {
        public CatalogHeader this[string key] => slots[key].Header;

        public IEnumerable<string> Keys => slots.Keys;

        public IEnumerable<CatalogHeader> Values => slots.Values.Select(s => s.Header);

        public int Count => slots.Count;

        public bool ContainsKey(string key) => slots.ContainsKey(key);

        public bool TryGetValue(string key, out CatalogHeader value)
        {
            if (slots.TryGetValue(key, out var slot))
            {
                value = slot.Header;
                return true;
            }
            value = null!;
            return false;
        }

        public IEnumerator<KeyValuePair<string, CatalogHeader>> GetEnumerator() =>
            slots.Select(kv => new KeyValuePair<string, CatalogHeader>(kv.Key, kv.Value.Header)).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// <c>{"entries":[{"ts":…,"node":"…","header":{…}},…]}</c> in id order, so equal buckets write equal bytes;
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
            foreach (var slot in value._slots.Values)
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
