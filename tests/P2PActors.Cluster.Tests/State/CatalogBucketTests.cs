using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.State;

/// <summary>The catalog's replicated bucket: last writer wins per entry, merges that commute, canonical bytes.</summary>
public sealed class CatalogBucketTests
{
    private static string Id(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"entry-{n}")));

    private static CatalogHeader Header(int n, string author = "alice") =>
        new(Id(n), ContentType.Item, $"Blade {n}", author, 1_000 + n, "akka.tcp://p2pactors@127.0.0.1:4053",
            new Certificate(Id(n), 65_534, new string('e', 64),
                [new Vote(new string('1', 64), Id(n), 65_534, true, [], Enumerable.Range(0, 64).Select(i => (byte)(i + n)).ToArray())]).ToProof());

    private static byte[] Bytes(CatalogBucket bucket) => JsonSerializer.SerializeToUtf8Bytes(bucket, P2PJsonSerializer.ValueOptions);

    private static CatalogBucket Read(string json) => JsonSerializer.Deserialize<CatalogBucket>(json, P2PJsonSerializer.ValueOptions)!;

    [Fact]
    public void Replicas_that_merge_the_same_writes_in_any_order_and_grouping_hold_equal_buckets_with_equal_bytes()
    {
        // Prevents: replicas that never settle (the replicator gossips digests of these bytes) or that disagree on an entry.
        var random = new Random(17);
        for (var round = 0; round < 25; round++)
        {
            var writes = new List<CatalogBucket>();
            for (var w = 0; w < 12; w++)
            {
                var n = random.Next(6);
                // Some writes of one entry share a stamp, some even a writer: the order must still be total.
                writes.Add(CatalogBucket.Empty.SetItem($"node-{random.Next(3)}", Header(n, author: $"a{random.Next(4)}"), nowMs: 100 + random.Next(4)));
            }
            var forward = writes.Aggregate(CatalogBucket.Empty, (acc, x) => acc.Merge(x));
            var backward = Enumerable.Reverse(writes).Aggregate(CatalogBucket.Empty, (acc, x) => acc.Merge(x));
            var shuffled = writes.OrderBy(_ => random.Next()).ToList();
            var halves = shuffled.Take(6).Aggregate(CatalogBucket.Empty, (acc, x) => acc.Merge(x))
                .Merge(shuffled.Skip(6).Aggregate(CatalogBucket.Empty, (acc, x) => acc.Merge(x)));
            Assert.Equal(forward, backward);
            Assert.Equal(forward, halves);
            Assert.Equal(forward, forward.Merge(backward));
            Assert.Equal(Bytes(forward), Bytes(backward));
            Assert.Equal(Bytes(forward), Bytes(halves));
        }
    }

    [Fact]
    public void The_later_stamp_wins_and_a_write_after_a_peer_whose_clock_runs_ahead_still_replaces_its_entry()
    {
        var genuine = Header(1);
        var tampered = genuine with { Author = "byzantine" };
        var ahead = CatalogBucket.Empty.SetItem("node-b", tampered, nowMs: 5_000);

        // This node's clock says 1 000: its write is stamped past the entry it holds, not behind it.
        var rewritten = ahead.SetItem("node-a", genuine, nowMs: 1_000);
        Assert.True(rewritten.TryGetValue(genuine.Id, out var held));
        Assert.Equal(genuine, held);
        Assert.Equal(5_001, rewritten.Slots[genuine.Id].Timestamp);
        // Every replica that gets both writes keeps the rewrite.
        Assert.Equal(genuine, CatalogBucket.Empty.Merge(rewritten.Delta!).Merge(ahead).Entries[genuine.Id]);
        Assert.Equal(genuine, ahead.Merge(rewritten.Delta!).Entries[genuine.Id]);

        // A stamp at the end of time cannot overflow into the past.
        var pinned = CatalogBucket.FromSlots([new CatalogSlot(tampered, long.MaxValue, "node-b")]);
        Assert.Equal(long.MaxValue, pinned.SetItem("node-a", genuine, nowMs: 1_000).Slots[genuine.Id].Timestamp);
    }

    [Fact]
    public void A_delta_holds_only_the_entries_written_since_the_last_reset()
    {
        var start = CatalogBucket.Empty.SetItem("node-a", Header(1), 10).SetItem("node-a", Header(2), 11).ResetDelta();
        Assert.Null(start.Delta);
        var next = start.SetItem("node-a", Header(3), 12).SetItem("node-a", Header(1, author: "bob"), 13);
        Assert.Equal([Id(1), Id(3)], next.Delta!.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(next.ResetDelta(), start.MergeDelta(next.Delta!));
    }

    [Fact]
    public void Bytes_written_read_back_to_an_equal_bucket_and_malformed_bytes_are_refused_whole()
    {
        var bucket = CatalogBucket.Empty.SetItem("node-a", Header(1), 10).SetItem("node-b", Header(2), 20).ResetDelta();
        var json = Encoding.UTF8.GetString(Bytes(bucket));
        Assert.Equal(bucket, Read(json));
        Assert.Equal(json, Encoding.UTF8.GetString(Bytes(Read(json))));

        var slot = Encoding.UTF8.GetString(bucket.Slots[Id(1)].ToUtf8Json());
        string[] malformed =
        [
            """{"entries":[{"ts":-1,"node":"n","header":""" + JsonSerializer.Serialize(Header(1), P2PJsonSerializer.ValueOptions) + "}]}",
            """{"entries":[{"ts":1,"header":""" + JsonSerializer.Serialize(Header(1), P2PJsonSerializer.ValueOptions) + "}]}",
            """{"entries":[{"ts":1,"node":"n"}]}""",
            """{"entries":[{"ts":1,"node":"n","header":""" + JsonSerializer.Serialize(Header(1) with { Id = "../../etc" }, P2PJsonSerializer.ValueOptions) + "}]}",
            """{"entries":[""" + slot + ",7]}",
            """{"entries":{}}""",
            "[]",
        ];
        foreach (var bad in malformed)
            Assert.ThrowsAny<JsonException>(() => Read(bad));
    }

    [Fact]
    public void A_bucket_of_the_former_format_converts_alike_on_every_node_and_loses_to_any_later_write()
    {
        var a = new UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4053), 1);
        var b = new UniqueAddress(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4054), 2);
        var onA = LWWDictionary<string, CatalogHeader>.Empty.SetItem(a, Id(1), Header(1)).SetItem(a, Id(2), Header(2))
            // Filed under another id than its header's: not carried over.
            .SetItem(a, Id(3), Header(4));
        var onB = LWWDictionary<string, CatalogHeader>.Empty.SetItem(b, Id(2), Header(2)).Merge(onA);

        var fromA = CatalogBucket.FromLegacy(onA);
        var fromB = CatalogBucket.FromLegacy(onB);
        Assert.Equal(fromA, fromB);
        Assert.Equal(Bytes(fromA), Bytes(fromB));
        Assert.Equal([Id(1), Id(2)], fromA.Entries.Keys.Order(StringComparer.Ordinal));

        var rewritten = fromA.SetItem("node-a", Header(1, author: "bob"), nowMs: 1);
        Assert.Equal("bob", rewritten.Merge(fromB).Entries[Id(1)].Author);
        Assert.Equal("bob", fromB.Merge(rewritten).Entries[Id(1)].Author);
    }
}
