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

/// <summary>The catalog's replicated bucket: every distinct header of an entry kept, newest first; merges that commute, canonical bytes.</summary>
public sealed class CatalogBucketTests
{
    private static string Id(int n) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"entry-{n}")));

    private static CatalogHeader Header(int n, string author = "alice") =>
        new(Id(n), ContentType.Item, $"Blade {n}", author, 1_000 + n, "akka.tcp://p2pactors@127.0.0.1:4053",
            new Certificate(Id(n), 65_534, new string('e', 64),
                [new Vote(new string('1', 64), Id(n), 65_534, true, [], Enumerable.Range(0, 64).Select(i => (byte)(i + n)).ToArray())]).ToProof());

    private static byte[] Bytes(CatalogBucket bucket) => JsonSerializer.SerializeToUtf8Bytes(bucket, P2PJsonSerializer.ValueOptions);

    private static CatalogBucket Read(string json) => JsonSerializer.Deserialize<CatalogBucket>(json, P2PJsonSerializer.ValueOptions)!;

    /// <summary>Admits one header per id, standing in for the certificate check only a genuine header passes.</summary>
    private sealed class AdmitOnly(params CatalogHeader[] genuine) : ICatalogAdmission
    {
        public bool Admit(CatalogHeader header) => genuine.Contains(header);
    }

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
                // Some writes of one entry share a stamp, some even a writer, some are stamped at the end of time: the
                // order must still be total.
                var stamp = random.Next(8) == 0 ? long.MaxValue : 100 + random.Next(4);
                writes.Add(CatalogBucket.FromSlots([new CatalogSlot(Header(n, author: $"a{random.Next(4)}"), stamp, $"node-{random.Next(3)}")]));
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
    public void A_header_written_over_an_entry_is_kept_beside_it_newest_first_and_an_equal_header_changes_nothing()
    {
        var genuine = Header(1);
        var tampered = genuine with { Author = "byzantine" };
        var ahead = CatalogBucket.Empty.SetItem("node-b", tampered, nowMs: 5_000);

        // This node's clock says 1 000: its write is stamped past the entry it holds, so it is the newest.
        var rewritten = ahead.SetItem("node-a", genuine, nowMs: 1_000);
        Assert.Equal([genuine, tampered], rewritten.Variants(genuine.Id).Select(v => v.Header));
        Assert.Equal(5_001, rewritten.Slots[genuine.Id].Timestamp);
        Assert.Equal(1, rewritten.Count);
        Assert.Equal(2, rewritten.SlotCount);
        // Every replica that gets both writes holds both, in the same order.
        Assert.Equal(rewritten.ResetDelta(), CatalogBucket.Empty.Merge(rewritten.Delta!).Merge(ahead));
        Assert.Equal(rewritten.ResetDelta(), ahead.Merge(rewritten.Delta!));

        // Writing a header the bucket holds is no change and no delta.
        var settled = rewritten.ResetDelta();
        Assert.Same(settled, settled.SetItem("node-c", tampered, nowMs: 9_000));
    }

    [Fact]
    public void A_forged_header_stamped_at_the_end_of_time_does_not_keep_the_genuine_header_out()
    {
        // Prevents: a Byzantine writer pinning an entry with a stamp no honest write can pass. Under last-writer-wins
        // the genuine header lost every merge, and a node that did not hold it live could never list it again.
        var genuine = Header(1);
        var forged = genuine with { Name = "Forged", Author = "byzantine" };
        var pinned = CatalogBucket.FromSlots([new CatalogSlot(forged, long.MaxValue, "zzzz")]);
        var honest = CatalogBucket.Empty.SetItem("node-a", genuine, nowMs: 1_000).ResetDelta();
        var admission = new AdmitOnly(genuine);

        foreach (var merged in new[] { honest.Merge(pinned), pinned.Merge(honest), pinned.SetItem("node-a", genuine, nowMs: 1_000) })
        {
            Assert.True(merged.TryGetAdmitted(genuine.Id, admission, out var listed));
            Assert.Equal(genuine, listed);
            Assert.Equal([genuine], merged.Admitted(admission));
            // The forgery is the newest variant: a reader that admitted it would list it instead.
            Assert.True(merged.TryGetAdmitted(genuine.Id, AdmitAll.Instance, out var newest));
            Assert.Equal(forged, newest);
        }
        Assert.False(pinned.TryGetAdmitted(genuine.Id, admission, out _));
        Assert.Empty(pinned.Admitted(admission));
    }

    [Fact]
    public void Hundreds_of_forged_variants_of_one_entry_merge_alike_in_any_order_and_leave_the_genuine_header_listed()
    {
        // A Byzantine writer decides how many variants an id has: they must not hide the genuine one, whatever their
        // number, stamps or order of arrival.
        var genuine = Header(1);
        var admission = new AdmitOnly(genuine);
        var random = new Random(23);
        var writes = Enumerable.Range(0, 300)
            .Select(i => CatalogBucket.FromSlots([new CatalogSlot(genuine with { Name = $"Forged {i % 150}" }, random.Next(3) == 0 ? long.MaxValue : i, $"node-{i % 7}")]))
            .Append(CatalogBucket.Empty.SetItem("node-a", genuine, nowMs: 50).ResetDelta())
            .ToList();

        var forward = writes.Aggregate(CatalogBucket.Empty, (acc, x) => acc.Merge(x));
        var shuffled = writes.OrderBy(_ => random.Next()).Aggregate(CatalogBucket.Empty, (acc, x) => acc.Merge(x));

        Assert.Equal(forward, shuffled);
        Assert.Equal(Bytes(forward), Bytes(shuffled));
        // 150 distinct forged headers (each written twice) and the genuine one.
        Assert.Equal(151, forward.SlotCount);
        Assert.True(forward.TryGetAdmitted(genuine.Id, admission, out var listed));
        Assert.Equal(genuine, listed);
    }

    [Fact]
    public void Dropping_refuted_variants_keeps_every_other_one_and_gives_the_same_bucket_before_or_after_merging()
    {
        // Prevents: a node that drops a Byzantine writer's forgeries as it takes a peer's bucket losing a genuine
        // variant, or holding another bucket than a node that merged first (replicas that never settle).
        var refuter = new RefuteAuthor("forger");
        string[] authors = ["alice", "forger", "bob"];
        var random = new Random(29);
        for (var round = 0; round < 25; round++)
        {
            var writes = Enumerable.Range(0, 10)
                .Select(_ => CatalogBucket.FromSlots(Enumerable.Range(0, 1 + random.Next(3))
                    .Select(_ => new CatalogSlot(Header(random.Next(6), authors[random.Next(3)]), random.Next(8) == 0 ? long.MaxValue : 100 + random.Next(4), $"node-{random.Next(3)}"))))
                .ToList();
            var merged = writes.Aggregate(CatalogBucket.Empty, (acc, x) => acc.Merge(x));
            var droppedAfter = merged.WithoutRefuted(refuter);
            var droppedBefore = writes.Select(w => w.WithoutRefuted(refuter)).Aggregate(CatalogBucket.Empty, (acc, x) => acc.Merge(x));

            Assert.Equal(droppedAfter, droppedBefore);
            Assert.Equal(Bytes(droppedAfter), Bytes(droppedBefore));
            Assert.DoesNotContain(droppedAfter.AllSlots, s => s.Header.Author == "forger");
            Assert.Equal(merged.AllSlots.Where(s => s.Header.Author != "forger"), droppedAfter.AllSlots);
        }
        var clean = CatalogBucket.FromSlots([new CatalogSlot(Header(1), 5, "node-a"), new CatalogSlot(Header(1, "bob"), 6, "node-b")]);
        Assert.Same(clean, clean.WithoutRefuted(refuter));
    }

    [Fact]
    public void A_delta_holds_only_the_entries_written_since_the_last_reset()
    {
        var start = CatalogBucket.Empty.SetItem("node-a", Header(1), 10).SetItem("node-a", Header(2), 11).ResetDelta();
        Assert.Null(start.Delta);
        var next = start.SetItem("node-a", Header(3), 12).SetItem("node-a", Header(1, author: "bob"), 13);
        Assert.Equal([Id(1), Id(3)], next.Delta!.Slots.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(next.ResetDelta(), start.MergeDelta(next.Delta!));
    }

    [Fact]
    public void Bytes_written_read_back_to_an_equal_bucket_and_malformed_bytes_are_refused_whole()
    {
        var bucket = CatalogBucket.Empty.SetItem("node-a", Header(1), 10).SetItem("node-b", Header(2), 20)
            .SetItem("node-c", Header(2, author: "mallory"), 30).ResetDelta();
        var json = Encoding.UTF8.GetString(Bytes(bucket));
        Assert.Equal(bucket, Read(json));
        Assert.Equal(json, Encoding.UTF8.GetString(Bytes(Read(json))));
        Assert.Equal(3, Read(json).SlotCount);

        // A stored row holds one id's variants: the slot itself when there is one, else an array of them.
        Assert.Equal(bucket.Slots[Id(1)].ToUtf8Json(), CatalogSlot.ToUtf8Json(bucket.Variants(Id(1))));
        Assert.Equal(bucket.Variants(Id(2)), CatalogSlot.ManyFromUtf8Json(CatalogSlot.ToUtf8Json(bucket.Variants(Id(2)))));
        Assert.Equal(bucket.Variants(Id(1)), CatalogSlot.ManyFromUtf8Json(bucket.Slots[Id(1)].ToUtf8Json()));
        foreach (var bad in new[] { "[]", "[7]", "7", "[" + Encoding.UTF8.GetString(bucket.Slots[Id(1)].ToUtf8Json()) + "]]" })
            Assert.ThrowsAny<JsonException>(() => CatalogSlot.ManyFromUtf8Json(Encoding.UTF8.GetBytes(bad)));

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
    public void A_bucket_of_the_former_format_converts_alike_on_every_node_and_any_later_write_is_newer()
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
        Assert.Equal([Id(1), Id(2)], fromA.Slots.Keys.Order(StringComparer.Ordinal));

        var rewritten = fromA.SetItem("node-a", Header(1, author: "bob"), nowMs: 1);
        Assert.Equal(["bob", "alice"], rewritten.Merge(fromB).Variants(Id(1)).Select(v => v.Header.Author));
        Assert.Equal(["bob", "alice"], fromB.Merge(rewritten).Variants(Id(1)).Select(v => v.Header.Author));
    }
}
