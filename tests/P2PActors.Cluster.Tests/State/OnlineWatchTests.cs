using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Tests.State;

/// <summary>
/// <see cref="OnlineWatch"/>: which players standing in a zone went offline (or came back without moving) between two
/// looks, so the pages watching the zone can take a closed page's player off the map.
/// </summary>
public sealed class OnlineWatchTests
{
    private static readonly StateKeys Keys = new GameStateSettings().CreateKeys();
    private static readonly UniqueAddress Writer = new(new Address("akka.tcp", "p2pactors", "127.0.0.1", 4053), 1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static GameStateView Moved(GameStateView view, string player, string zone, long at) =>
        view.ApplyPositions([new KeyValuePair<string, PlayerPosition>(player, new PlayerPosition(zone, 2, 3, at))], collectChanges: false).View;

    private static GameStateView Heard(GameStateView view, string player, long at)
    {
        var bucket = Keys.PlayerBucket(player);
        var presence = view.Presence[bucket].SetItem(Writer, player, new PresenceEntry("forest", at, "node"));
        return view.Apply(Keys.Presence[bucket].Id, presence, collectChanges: false).View;
    }

    private static GameStateView Empty() => GameStateView.Empty(Keys, AdmitAll.Instance);

    [Fact]
    public void A_player_not_heard_from_for_the_timeout_is_reported_offline_once_where_they_last_stood()
    {
        var watch = new OnlineWatch();
        var view = Moved(Moved(Empty(), "alice", "forest", 1_000), "bob", "forest", 20_000);
        Assert.Empty(watch.Look(view, 2_000, Timeout)); // the first look only takes stock

        Assert.Empty(watch.Look(view, 31_000, Timeout)); // alice last heard 30 s ago: still online
        var offline = Assert.IsType<PlayerOffline>(Assert.Single(watch.Look(view, 31_001, Timeout)));
        Assert.Equal("alice", offline.PlayerId);
        Assert.Equal(new PlayerPosition("forest", 2, 3, 1_000), offline.Position);
        Assert.Equal(1_000, offline.LastSeenMs);

        Assert.Empty(watch.Look(view, 32_000, Timeout)); // told once
        Assert.Equal("bob", Assert.IsType<PlayerOffline>(Assert.Single(watch.Look(view, 50_001, Timeout))).PlayerId);
    }

    [Fact]
    public void A_heartbeat_keeps_a_player_who_stands_still_online_and_the_last_one_dates_the_offline()
    {
        var watch = new OnlineWatch();
        var view = Moved(Empty(), "alice", "forest", 1_000);
        watch.Look(view, 1_000, Timeout);
        view = Heard(view, "alice", 25_000);
        Assert.Empty(watch.Look(view, 40_000, Timeout));
        var offline = Assert.IsType<PlayerOffline>(Assert.Single(watch.Look(view, 55_001, Timeout)));
        Assert.Equal(25_000, offline.LastSeenMs);
    }

    [Fact]
    public void A_player_heard_from_again_without_moving_is_reported_as_a_move_but_one_who_moved_is_not_reported_twice()
    {
        var watch = new OnlineWatch();
        var view = Moved(Moved(Empty(), "alice", "forest", 1_000), "bob", "cave", 1_000);
        watch.Look(view, 1_000, Timeout);
        Assert.Equal(2, watch.Look(view, 40_000, Timeout).Count(c => c is PlayerOffline));

        // alice's node was cut off and its heartbeat arrives late; bob moved (that move was pushed as it was taken).
        view = Moved(Heard(view, "alice", 40_500), "bob", "cave", 40_600);
        var back = Assert.IsType<PlayerMoved>(Assert.Single(watch.Look(view, 41_000, Timeout)));
        Assert.Equal("alice", back.PlayerId);
        Assert.Equal(new PlayerPosition("forest", 2, 3, 1_000), back.Position);
    }

    [Fact]
    public void After_a_reset_the_next_look_only_takes_stock_again()
    {
        var watch = new OnlineWatch();
        var view = Moved(Empty(), "alice", "forest", 1_000);
        watch.Look(view, 1_000, Timeout);
        watch.Reset();
        Assert.Empty(watch.Look(view, 40_000, Timeout));
        Assert.Empty(watch.Look(view, 41_000, Timeout));
    }
}
