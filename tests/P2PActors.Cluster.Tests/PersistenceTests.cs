using Akka.Actor;
using Akka.Cluster.Sharding;
using P2PActors.Cluster.Generation;
using P2PActors.Cluster.Hosting;
using P2PActors.Cluster.Players;
using P2PActors.Content.Model;
using P2PActors.Testing;

namespace P2PActors.Cluster.Tests;

/// <summary>The persistence guarantees of player memory on the embedded SQLite journal.</summary>
public sealed class SqlitePersistenceTests() : PersistenceTests(new SqliteJournal())
{
    [Fact]
    public override Task History_and_content_survive_a_restart() => base.History_and_content_survive_a_restart();

    [Fact]
    public override Task A_burst_of_recordings_is_complete_in_the_next_read_and_after_a_restart_in_fewer_events() =>
        base.A_burst_of_recordings_is_complete_in_the_next_read_and_after_a_restart_in_fewer_events();

    [Fact]
    public override Task An_idle_player_memory_is_passivated_and_recovered_on_next_use() =>
        base.An_idle_player_memory_is_passivated_and_recovered_on_next_use();

    [Fact]
    public override Task The_journal_keeps_only_the_events_after_the_last_snapshot_and_recovery_loses_nothing() =>
        base.The_journal_keeps_only_the_events_after_the_last_snapshot_and_recovery_loses_nothing();
}

/// <summary>The same guarantees with the journal and snapshots in a fresh PostgreSQL database per test.</summary>
public sealed class PostgresPersistenceTests() : PersistenceTests(new PostgresJournal())
{
    [PostgresFact]
    public override Task History_and_content_survive_a_restart() => base.History_and_content_survive_a_restart();

    [PostgresFact]
    public override Task A_burst_of_recordings_is_complete_in_the_next_read_and_after_a_restart_in_fewer_events() =>
        base.A_burst_of_recordings_is_complete_in_the_next_read_and_after_a_restart_in_fewer_events();

    [PostgresFact]
    public override Task An_idle_player_memory_is_passivated_and_recovered_on_next_use() =>
        base.An_idle_player_memory_is_passivated_and_recovered_on_next_use();

    [PostgresFact]
    public override Task The_journal_keeps_only_the_events_after_the_last_snapshot_and_recovery_loses_nothing() =>
        base.The_journal_keeps_only_the_events_after_the_last_snapshot_and_recovery_loses_nothing();
}

/// <summary>
/// Each test body runs once per journal provider: the subclasses above carry the attributes (a plain fact for
/// SQLite, a PostgreSQL fact that is skipped without the test server), so a provider cannot silently lose a test.
/// </summary>
public abstract class PersistenceTests(JournalDatabase journal) : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly IReadOnlyDictionary<string, string> NoParams = new Dictionary<string, string>();
    private readonly TempDataDirectory _data = new();

    void IDisposable.Dispose()
    {
        // The nodes are stopped by now (each test awaits their disposal), so the database can go.
        journal.Dispose();
        _data.Dispose();
        Dispose();
    }

    private NodeSettings Settings(TimeSpan? passivation = null, int snapshotEvery = 100) =>
        journal.Use(_data.Settings(passivation, snapshotEvery: snapshotEvery));

    public virtual async Task History_and_content_survive_a_restart()
    {
        // Snapshots every 2 events: recovery has to combine a snapshot with the events after it.
        var settings = Settings(snapshotEvery: 2);
        var generated = new List<GameContent>();
        await using (var node = await TestNode.StartAsync(settings))
        {
            foreach (var type in new[] { ContentType.Character, ContentType.Item, ContentType.Map, ContentType.Quest, ContentType.Dialog })
                generated.Add((await node.Ask<ContentGenerated>(new GenerateContent(type, NoParams, null, "alice"))).Content);
            Assert.Equal(5, (await node.Snapshot("alice")).History.Count);
        }
        // The history went to the configured store, and only there.
        var alice = PlayerMemoryActor.PersistenceIdFor("alice");
        Assert.InRange(journal.JournalEvents(settings, alice), 1, 5);
        Assert.Equal(journal.WritesSqliteFile, File.Exists(settings.PersistenceDatabasePath));

        await using (var restarted = await TestNode.StartAsync(settings))
        {
            var snapshot = await restarted.Snapshot("alice");
            Assert.Equal(generated.Select(c => c.Id), snapshot.History.Select(h => h.ContentId));
            Assert.Equal(generated.Select(c => c.Type), snapshot.History.Select(h => h.Type));

            foreach (var content in generated)
            {
                var found = await restarted.Ask<ContentFound>(new GetContent(content.Id!));
                Assert.Equal(ContentJson.Serialize(content), ContentJson.Serialize(found.Content));
            }

            // The restarted memory keeps recording on top of what it recovered.
            var next = await restarted.Ask<ContentGenerated>(new GenerateContent(ContentType.Item, NoParams, null, "alice"));
            Assert.Equal(next.Content.Id, (await restarted.Snapshot("alice")).History[^1].ContentId);
            Assert.Equal(6, (await restarted.Snapshot("alice")).History.Count);
        }
    }

    public virtual async Task A_burst_of_recordings_is_complete_in_the_next_read_and_after_a_restart_in_fewer_events()
    {
        const int burst = 300;
        var settings = Settings(snapshotEvery: 3);
        var at = DateTimeOffset.UnixEpoch;
        var ids = Enumerable.Range(0, burst).Select(i => $"burst-{i:D4}").ToList();
        await using (var node = await TestNode.StartAsync(settings))
        {
            // Sent back to back with no wait: they share journal writes, and the read right after them sees them all.
            foreach (var (id, i) in ids.Select((id, i) => (id, i)))
                node.PlayerMemory.Tell(new RecordGenerated("carol", id, ContentType.Item, i, at.AddSeconds(i)));
            Assert.Equal(ids, (await node.Snapshot("carol")).History.Select(h => h.ContentId));

            // A repeat of recorded ids is still a no-op, even inside one batch.
            node.PlayerMemory.Tell(new RecordGenerated("carol", ids[0], ContentType.Item, 0, at));
            node.PlayerMemory.Tell(new RecordGenerated("carol", "burst-last", ContentType.Map, 9, at));
            node.PlayerMemory.Tell(new RecordGenerated("carol", "burst-last", ContentType.Map, 9, at));
            Assert.Equal([.. ids, "burst-last"], (await node.Snapshot("carol")).History.Select(h => h.ContentId));
        }

        // Far fewer journal events than recordings: that is the point of coalescing.
        var events = journal.JournalEvents(settings, PlayerMemoryActor.PersistenceIdFor("carol"));
        Assert.InRange(events, 1, burst / 4);

        await using (var restarted = await TestNode.StartAsync(settings))
            Assert.Equal([.. ids, "burst-last"], (await restarted.Snapshot("carol")).History.Select(h => h.ContentId));
    }

    public virtual async Task An_idle_player_memory_is_passivated_and_recovered_on_next_use()
    {
        // 5 s of idleness, not 2: the entity is looked up and checked between uses, and a loaded CI machine that stalled
        // longer than the idle timeout there would passivate it under the test's feet.
        await using var node = await TestNode.StartAsync(Settings(passivation: TimeSpan.FromSeconds(5)));
        // The journal creates its tables on first use; an entity whose recovery outlasts the idle timeout would be
        // passivated mid-recovery, so the tables are made before the entity under test starts.
        await node.Snapshot("warm-up");
        var generated = await node.Ask<ContentGenerated>(new GenerateContent(ContentType.Character, NoParams, 5, "bob"));
        Assert.Single((await node.Snapshot("bob")).History);

        var entity = await node.System.ActorSelection($"/system/sharding/{PlayerMemoryOptions.ShardTypeName}/*/bob")
            .ResolveOne(TimeSpan.FromSeconds(10));
        var probe = CreateTestProbe(node.System);
        probe.Watch(entity);
        probe.ExpectTerminated(entity, TimeSpan.FromSeconds(30));
        // The shard hears of the termination independently of the probe, so its entity list may lag a moment.
        await AwaitAssertAsync(async () => Assert.DoesNotContain("bob", await EntityIds(node)), TimeSpan.FromSeconds(10));

        // The next message starts a new incarnation that recovers the history from the journal.
        var snapshot = await node.Snapshot("bob");
        Assert.Equal(generated.Content.Id, Assert.Single(snapshot.History).ContentId);
        Assert.Contains("bob", await EntityIds(node));
        var reincarnation = await node.System.ActorSelection($"/system/sharding/{PlayerMemoryOptions.ShardTypeName}/*/bob")
            .ResolveOne(TimeSpan.FromSeconds(10));
        Assert.NotEqual(entity, reincarnation);
    }

    public virtual async Task The_journal_keeps_only_the_events_after_the_last_snapshot_and_recovery_loses_nothing()
    {
        // Prevents: every recording and rating of every player stayed in the journal for good, although recovery
        // starts from the last snapshot and the history it rebuilds is capped.
        const int recordings = 40;
        var settings = Settings(snapshotEvery: 4);
        var at = DateTimeOffset.UnixEpoch;
        var ids = Enumerable.Range(0, recordings).Select(i => $"kept-{i:D3}").ToList();
        var dave = PlayerMemoryActor.PersistenceIdFor("dave");
        await using (var node = await TestNode.StartAsync(settings))
        {
            // One at a time, each read flushing it: one journal event per recording, a snapshot every fourth.
            foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            {
                node.PlayerMemory.Tell(new RecordGenerated("dave", id, ContentType.Item, i, at.AddSeconds(i)));
                Assert.Equal(id, (await node.Snapshot("dave")).History[^1].ContentId);
            }
            // The last snapshot is taken at event 40; the deletion that follows it runs in the background.
            await AwaitAssertAsync(() =>
            {
                Assert.True(journal.JournalEvents(settings, dave) <= 1, $"journal rows: {journal.Describe(settings, dave)}");
                // The older snapshots go too, by another actor (the snapshot store), as independently.
                Assert.Equal(1, journal.Snapshots(settings, dave));
            }, TimeSpan.FromSeconds(20));
        }

        await using (var restarted = await TestNode.StartAsync(settings))
        {
            Assert.Equal(ids, (await restarted.Snapshot("dave")).History.Select(h => h.ContentId));
            // Recording goes on after a journal with its older events gone: the sequence numbers do not start over.
            restarted.PlayerMemory.Tell(new RecordGenerated("dave", "after-restart", ContentType.Map, 1, at));
            Assert.Equal([.. ids, "after-restart"], (await restarted.Snapshot("dave")).History.Select(h => h.ContentId));
        }
        await using (var again = await TestNode.StartAsync(settings))
            Assert.Equal([.. ids, "after-restart"], (await again.Snapshot("dave")).History.Select(h => h.ContentId));
    }

    private static async Task<IReadOnlyCollection<string>> EntityIds(TestNode node)
    {
        var state = await node.PlayerMemory.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.SelectMany(s => s.EntityIds).ToHashSet();
    }
}
