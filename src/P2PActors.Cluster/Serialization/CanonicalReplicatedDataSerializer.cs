using System.IO.Compression;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.DistributedData.Serialization;
using Akka.Serialization;
using Google.Protobuf;

namespace P2PActors.Cluster.Serialization;

/// <summary>
/// Akka's <see cref="ReplicatedDataSerializer"/> (same identifier, same manifests, same wire format, read back by it)
/// with one change: the entries of an <c>LWWDictionary</c> or <c>ORDictionary</c> are written in a canonical order.
/// <para>
/// Akka.NET writes those entries in the iteration order of an <c>ImmutableDictionary</c>, which follows the keys' hash
/// codes, and .NET randomises string hash codes per process. So two nodes holding the same bucket serialise it to
/// different bytes, the replicator's digests (SHA-1 of those bytes) never match, and every gossip round ships whole
/// buckets back and forth that change nothing — a cost that grows with the data (the 10-minute soak's CPU and
/// allocation growth, docs/benchmarks.md). Sets and version vectors are already written sorted by Akka.
/// </para>
/// </summary>
public sealed class CanonicalReplicatedDataSerializer : SerializerWithStringManifest
{
    /// <summary>Akka's manifests of the full-state maps (<c>ORMap</c>, <c>LWWMap</c>), both gzip-compressed protobuf.</summary>
    private const string OrMapManifest = "H";
    private const string LwwMapManifest = "I";

    /// <summary>The repeated <c>entries</c> field of both <c>ORMap</c> and <c>LWWMap</c> (ReplicatedDataMessages.proto).</summary>
    private const int EntriesField = 2;

    private readonly ReplicatedDataSerializer _inner;

    /// <summary>
    /// The bytes of each map value this serializer wrote, for as long as the value lives. Replicated values are
    /// immutable, and the replicator serialises the same one several times (its digest, the durable store, the gossip
    /// and the write to each peer), each time decompressing, sorting and compressing it again otherwise.
    /// </summary>
    private readonly ConditionalWeakTable<object, byte[]> _maps = new();

    public CanonicalReplicatedDataSerializer(ExtendedActorSystem system) : base(system)
    {
        _inner = new ReplicatedDataSerializer(system);
    }

    /// <summary>Akka's identifier for replicated data (its reference.conf), so every node and durable store reads these bytes as Akka's.</summary>
    public const int AkkaIdentifier = 11;

    public override int Identifier => AkkaIdentifier;

    public override string Manifest(object o) => _inner.Manifest(o);

    public override byte[] ToBinary(object obj)
    {
        if (_inner.Manifest(obj) is not (OrMapManifest or LwwMapManifest))
            return _inner.ToBinary(obj);
        return _maps.GetValue(obj, map => Canonical(_inner.ToBinary(map)));
    }

    public override object FromBinary(byte[] bytes, string manifest) => _inner.FromBinary(bytes, manifest);

    /// <summary>
    /// The same map with its entries sorted by their encoded bytes (each entry starts with its key, so this is an order
    /// by key), gzip-compressed again. Anything not shaped as expected is returned as it came: still correct, only not
    /// canonical.
    /// </summary>
    public static byte[] Canonical(byte[] compressed)
    {
        byte[] proto;
        try
        {
            proto = Decompress(compressed);
        }
        catch (InvalidDataException)
        {
            return compressed;
        }
        var fields = new List<(int Number, byte[] Raw)>();
        var input = new CodedInputStream(proto);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            // Every top-level field of both maps is a message (length-delimited); another wire type means another format.
            if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
                return compressed;
            fields.Add((WireFormat.GetTagFieldNumber(tag), input.ReadBytes().ToByteArray()));
        }
        var entries = fields.Where(f => f.Number == EntriesField).Select(f => f.Raw).ToList();
        entries.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
        using var output = new MemoryStream(proto.Length + 16);
        var writer = new CodedOutputStream(output, leaveOpen: true);
        var next = 0;
        foreach (var (number, raw) in fields)
        {
            writer.WriteTag(number, WireFormat.WireType.LengthDelimited);
            writer.WriteBytes(ByteString.CopyFrom(number == EntriesField ? entries[next++] : raw));
        }
        writer.Flush();
        return Compress(output.ToArray());
    }

    private static byte[] Decompress(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream(bytes.Length * 4);
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Compress(byte[] bytes)
    {
        using var output = new MemoryStream(bytes.Length / 2 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(bytes);
        return output.ToArray();
    }
}
