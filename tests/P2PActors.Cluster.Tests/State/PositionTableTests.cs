using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>The view's position table: what the live path and the durable buckets deliver, merged newest-wins.</summary>
public sealed class PositionTableTests
{
    private static readonly StateKeys Keys = new GameStateSettings().CreateKeys();
    private static readonly UniqueAddress Writer = new(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4053), 1);

    private static GameStateView Empty() => GameStateView.Empty(Keys, AdmitAll.Instance);

    private static KeyValuePair<string, PlayerPosition> Move(string player, string zone, double x, double y, long at) =>
        new(player, new PlayerPosition(zone, x, y, at));

    [Fact]
    public void A_newer_position_replaces_the_held_one_and_an_older_one_changes_nothing()
    {
        var (view, first) = Empty().ApplyPositions([Move("alice", "forest", 1, 1, 1_000)], collectChanges: true);
        Assert.Single(first);

        var (same, late) = view.ApplyPositions([Move("alice", "forest", 9, 9, 999)], collectChanges: true);
        Assert.Empty(late);
        Assert.Same(view, same);
        Assert.Equal(1, same.Positions["alice"].X);

        var (moved, changes) = view.ApplyPositions([Move("alice", "forest", 2, 3, 1_001)], collectChanges: true);
        var change = Assert.IsType<PlayerMoved>(Assert.Single(changes));
        Assert.Equal(new PlayerPosition("forest", 2, 3, 1_001), change.Position);
        Assert.Equal(change.Position, moved.Player("alice", 1_001, TimeSpan.FromSeconds(30))!.Position);
    }

    [Fact]
    public void A_move_names_the_zone_the_player_stood_in_before_so_its_watchers_can_be_told()
    {
        var (view, first) = Empty().ApplyPositions([Move("alice", "forest", 1, 1, 1_000)], collectChanges: true);
        Assert.Null(Assert.IsType<PlayerMoved>(Assert.Single(first)).PreviousZone);

        var (_, changes) = view.ApplyPositions([Move("alice", "caves", 0, 0, 1_001)], collectChanges: true);

        Assert.Equal("forest", Assert.IsType<PlayerMoved>(Assert.Single(changes)).PreviousZone);
    }

    [Fact]
    public void A_move_that_arrived_live_is_not_listed_again_when_its_durable_bucket_arrives()
    {
        var (view, live) = Empty().ApplyPositions([Move("alice", "forest", 4, 5, 2_000)], collectChanges: true);
        Assert.Single(live);
        // A player of alice's bucket: a bucket is read for its own players only.
        var bob = Enumerable.Range(0, 1_000).Select(i => $"bob-{i}").First(p => Keys.PlayerBucket(p) == Keys.PlayerBucket("alice"));
        var bucket = LWWDictionary<string, PlayerPosition>.Empty
            .SetItem(Writer, "alice", new PlayerPosition("forest", 4, 5, 2_000))
            .SetItem(Writer, bob, new PlayerPosition("caves", 0, 0, 1_500));

        var (merged, changes) = view.Apply(Keys.PositionKey("alice").Id, bucket, collectChanges: true);

        // Only bob is news; alice's position was already held.
        var change = Assert.IsType<PlayerMoved>(Assert.Single(changes));
        Assert.Equal(bob, change.PlayerId);
        Assert.Equal(2, merged.Positions.Count);
    }

    [Fact]
    public void Moves_of_one_player_stamped_in_the_same_millisecond_on_two_nodes_end_the_same_in_either_order()
    {
        var fromA = Move("duelist", "arena", 1, 1, 3_000);
        var fromB = Move("duelist", "arena", 1, 2, 3_000);

        var (ab, _) = Empty().ApplyPositions([fromA], false);
        (ab, _) = ab.ApplyPositions([fromB], false);
        var (ba, _) = Empty().ApplyPositions([fromB], false);
        (ba, _) = ba.ApplyPositions([fromA], false);

        Assert.Equal(ab.Positions["duelist"], ba.Positions["duelist"]);
        // The documented tie-break: same stamp and zone, then the larger x, then the larger y.
        Assert.Equal(2, ab.Positions["duelist"].Y);
    }

    [Fact]
    public void The_snapshot_counts_players_known_only_by_their_position()
    {
        var (view, _) = Empty().ApplyPositions([Move("alice", "forest", 1, 1, 10_000), Move("bob", "forest", 2, 2, 1)], false);

        var snapshot = view.Snapshot(10_500, TimeSpan.FromSeconds(1), 0, 50);

        Assert.Equal(2, snapshot.KnownPlayers);
        Assert.Equal(["alice"], snapshot.Online.Select(p => p.PlayerId));
    }

    [Fact]
    public void The_snapshot_counts_each_player_once_whatever_knows_them_and_finds_the_online_by_either_stamp()
    {
        // Prevents: a player known from several tables counted twice, or one online only by a heartbeat (a page open,
        // not moving) or only by a move left out, now that the tables are not looked up in one another.
        const long now = 100_000;
        var (view, _) = Empty().ApplyPositions([
            Move("mover", "forest", 1, 1, now - 500),        // online by the move alone
            Move("listener", "forest", 2, 2, now - 60_000),  // old move, fresh heartbeat below: online
            Move("gone", "forest", 3, 3, now - 60_000),      // old move and old heartbeat: offline
            Move("holder", "forest", 4, 4, now - 60_000),    // an item as well: counted once
        ], false);
        view = Heard(view, "listener", now - 1_000);
        view = Heard(view, "gone", now - 50_000);
        view = Heard(view, "heard-only", now - 2_000);       // no position: online, known once
        view = Heard(view, "future", now + 3_600_000);       // a stamp an hour ahead is no sign of life
        view = Holding(view, "holder", "sword");
        view = Holding(view, "item-only", "shield");         // known by an item alone
        // A fresh heartbeat a peer wrote into another player's bucket: known, but not online (no view reads it there).
        var wrong = (Keys.PlayerBucket("misplaced") + 1) % Keys.PlayerBuckets;
        var presence = view.Presence[wrong].SetItem(Writer, "misplaced", new PresenceEntry("forest", now - 1_000, "node"));
        view = view.Apply(Keys.Presence[wrong].Id, presence, collectChanges: false).View;

        var snapshot = view.Snapshot(now, TimeSpan.FromSeconds(30), 0, 50);

        Assert.Equal(8, snapshot.KnownPlayers);
        Assert.All(snapshot.Online, p => Assert.NotNull(p));
        Assert.Equal(["heard-only", "listener", "mover"], snapshot.Online.Select(p => p.PlayerId));
        Assert.Equal(3, snapshot.OnlineCount);
        // A page of the online: skipped and taken in player-id order.
        Assert.Equal(["listener"], view.Snapshot(now, TimeSpan.FromSeconds(30), 1, 1).Online.Select(p => p.PlayerId));
    }

    private static GameStateView Heard(GameStateView view, string player, long at)
    {
        var bucket = Keys.PlayerBucket(player);
        var presence = view.Presence[bucket].SetItem(Writer, player, new PresenceEntry("forest", at, "node"));
        return view.Apply(Keys.Presence[bucket].Id, presence, collectChanges: false).View;
    }

    private static GameStateView Holding(GameStateView view, string player, string item)
    {
        var bucket = Keys.PlayerBucket(player);
        return view.Apply(Keys.Inventories[bucket].Id, view.Inventories[bucket].Add("node", player, item), collectChanges: false).View;
    }
}
