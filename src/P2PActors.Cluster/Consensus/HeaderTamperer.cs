using Akka.Actor;
using Akka.DistributedData;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// <see cref="ByzantineMode.TamperHeaders"/> (chaos testing only): watches this node's catalog and rewrites every
/// genuine entry it admits with one false header field — in turn the type, the name, the author, a created time ten
/// years ahead (which would pin it to the top of the catalog) and the holder — keeping the genuine certificate, and
/// writes it into the replicated catalog for gossip to spread, stamped <see cref="long.MaxValue"/> so that no later
/// write of the genuine header outranks it. Honest nodes must refuse every such entry and still list the genuine one
/// (the bucket keeps both: <see cref="CatalogBucket"/>). Each entry is rewritten once.
/// </summary>
public sealed class HeaderTamperer : ReceiveActor, IWithTimers
{
    public const string Name = "header-tamperer";

    /// <summary>What a rewritten entry says instead of the truth.</summary>
    public const string TamperedAuthor = "byzantine";
    public const string TamperedNamePrefix = "tampered: ";
    public const string TamperedHolder = "akka.tcp://p2pactors@127.0.0.1:1";
    public static readonly TimeSpan FutureShift = TimeSpan.FromDays(3650);

    private const int MaxRemembered = 100_000;

    private readonly HashSet<string> _tampered = new(StringComparer.Ordinal);
    private StateKeys? _keys;
    private int _count;

    public HeaderTamperer()
    {
        Receive<SubscribeTick>(_ => TrySubscribe());
        Receive<GameStateProtocol.Subscribed>(_ => Timers.Cancel(nameof(SubscribeTick)));
        Receive<CatalogEntryAdded>(added => Tamper(added.Header));
        Receive<StateChange>(_ => { });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props() => Akka.Actor.Props.Create(() => new HeaderTamperer());

    /// <summary>Retried until the node's game state is up (it may start after consensus).</summary>
    private sealed class SubscribeTick
    {
        public static readonly SubscribeTick Instance = new();
    }

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(SubscribeTick), SubscribeTick.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(1));

    private void TrySubscribe()
    {
        if (GameState.TryGet(Context.System) is not { } state)
            return;
        _keys ??= state.Settings.CreateKeys();
        state.Actor.Tell(new GameStateProtocol.Subscribe(Self));
    }

    private void Tamper(CatalogHeader genuine)
    {
        if (_keys is null || genuine.Certificate is null || !_tampered.Add(genuine.Id))
            return;
        if (_tampered.Count > MaxRemembered)
            _tampered.Clear();
        var types = Enum.GetValues<ContentType>();
        var tampered = (_count++ % 5) switch
        {
            0 => genuine with { Type = types[(Array.IndexOf(types, genuine.Type) + 1) % types.Length] },
            1 => genuine with { Name = TamperedNamePrefix + genuine.Name },
            2 => genuine with { Author = TamperedAuthor },
            3 => genuine with { CreatedMs = genuine.CreatedMs + (long)FutureShift.TotalMilliseconds },
            _ => genuine with { Holder = TamperedHolder },
        };
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;
        DistributedData.Get(Context.System).Replicator.Tell(Dsl.Update(_keys.CatalogKey(genuine.Id), CatalogBucket.Empty,
            WriteLocal.Instance, d => d.SetItem(InventoryBucket.NodeId(self), tampered, long.MaxValue)));
        // For the chaos report and tests: what was written (the honest nodes may never list it, or see it only briefly).
        Context.System.EventStream.Publish(new HeaderTampered(genuine, tampered));
    }
}

/// <summary>Published on the tampering node's event stream for every entry <see cref="HeaderTamperer"/> rewrote.</summary>
public sealed record HeaderTampered(CatalogHeader Genuine, CatalogHeader Tampered);
