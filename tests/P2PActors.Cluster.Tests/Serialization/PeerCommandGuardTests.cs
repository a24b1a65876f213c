using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch.SysMsg;
using Akka.DistributedData;
using Akka.Event;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Tests.Serialization;

/// <summary>
/// A peer that tries to stop or create actors on an honest node over real remoting on 127.0.0.1. The "attacker" is a
/// second ActorSystem with the node's configuration: Akka lets any member send these, so the honest side must refuse them.
/// </summary>
public sealed class PeerCommandGuardTests : TestKit
{
    private static Config NodeConfig() => ConfigurationFactory.ParseString(SerializationSetup.Hocon + """

        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.port = 0
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.loglevel = WARNING
        """).WithFallback(DistributedData.DefaultConfig());

    public PeerCommandGuardTests() : base(NodeConfig(), "guard-honest") { }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    /// <summary>Tells <paramref name="report"/> where it was created: a remote deployment that went through would say so.</summary>
    private sealed class Reporter : ReceiveActor
    {
        public Reporter(IActorRef report) => report.Tell($"created on {Context.System.Name}");
    }

    [Fact]
    public async Task A_peer_can_neither_stop_an_actor_here_nor_deploy_one_and_death_watch_still_works()
    {
        // Prevents: Akka's defaults let any member stop any actor of every honest node with one PoisonPill, Kill or
        // Terminate (the game state, the validator, the replicator) and create actors of its choosing here.
        var refusals = CreateTestProbe();
        Sys.EventStream.Subscribe(refusals.Ref, typeof(LogEvent));
        var target = Sys.ActorOf(Props.Create(() => new Echo()), "target");
        var local = CreateTestProbe();
        local.Watch(target);

        var attacker = ActorSystem.Create("guard-attacker", NodeConfig());
        try
        {
            var honestAddress = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
            var remote = await attacker.ActorSelection(new RootActorPath(honestAddress) / "user" / "target").ResolveOne(TimeSpan.FromSeconds(10));

            remote.Tell(PoisonPill.Instance);
            await RefusedAsync(refusals, "PoisonPill");
            remote.Tell(Kill.Instance);
            await RefusedAsync(refusals, "Kill");
            attacker.ActorOf(Props.Create(typeof(Reporter), TestActor).WithDeploy(Deploy.None.WithScope(new RemoteScope(honestAddress))), "deployed");
            await RefusedAsync(refusals, "remote deployment");
            // Still alive and serving the peer, after each was read and refused; the deployment created nothing anywhere.
            Assert.Equal("still here", await remote.Ask<string>("still here", TimeSpan.FromSeconds(10)));
            ExpectNoMsg(TimeSpan.Zero);

            // What remote death watch needs still passes: the peer learns when an actor it watches stops here.
            var watched = Sys.ActorOf(Props.Create(() => new Echo()), "watched");
            var watchedThere = await attacker.ActorSelection(new RootActorPath(honestAddress) / "user" / "watched").ResolveOne(TimeSpan.FromSeconds(10));
            attacker.ActorOf(Props.Create(() => new Forwarder(TestActor, watchedThere)));
            ExpectMsg("watching", TimeSpan.FromSeconds(10));
            Sys.Stop(watched);
            ExpectMsg("terminated", TimeSpan.FromSeconds(20));

            // Last, since a refused system message fails the peer's own link (it is resent until read): Terminate.
            await TerminateIsRefusedAsync(remote, target, local, refusals, "Terminate");
        }
        finally
        {
            await attacker.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    [Fact]
    public async Task A_peer_cannot_stop_an_actor_here_by_sending_the_command_under_the_catch_all_JSON_serializer()
    {
        // Prevents: the remoting reads a message with whichever serializer the sender names, so a peer that writes its
        // PoisonPill or Terminate with Akka's JSON serializer (identifier 1) got past the guards of their own serializers.
        var refusals = CreateTestProbe();
        Sys.EventStream.Subscribe(refusals.Ref, typeof(LogEvent));
        var target = Sys.ActorOf(Props.Create(() => new Echo()), "json-target");
        var local = CreateTestProbe();
        local.Watch(target);

        // The attacker writes those commands, and a bare value, with Akka's own JSON serializer.
        var attacker = ActorSystem.Create("guard-json-attacker", ConfigurationFactory.ParseString("""
            akka.actor.serializers.json = "Akka.Serialization.NewtonSoftJsonSerializer, Akka"
            akka.actor.serialization-identifiers { "Akka.Serialization.NewtonSoftJsonSerializer, Akka" = 1 }
            akka.actor.serialization-bindings {
              "Akka.Actor.PoisonPill, Akka" = json
              "Akka.Actor.Kill, Akka" = json
              "Akka.Dispatch.SysMsg.Terminate, Akka" = json
              "System.Boolean" = json
            }
            """).WithFallback(NodeConfig()));
        try
        {
            var honestAddress = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
            var remote = await attacker.ActorSelection(new RootActorPath(honestAddress) / "user" / "json-target").ResolveOne(TimeSpan.FromSeconds(10));
            Assert.Equal(1, attacker.Serialization.FindSerializerFor(PoisonPill.Instance).Identifier);
            Assert.Equal(1, attacker.Serialization.FindSerializerFor(new Terminate()).Identifier);

            remote.Tell(PoisonPill.Instance);
            await RefusedAsync(refusals, "PoisonPill sent as JSON");
            remote.Tell(Kill.Instance);
            await RefusedAsync(refusals, "Kill sent as JSON");
            // A bare value still passes under it, both ways.
            Assert.True(await remote.Ask<bool>(true, TimeSpan.FromSeconds(10)));

            // Last, since a refused system message fails the peer's own link.
            await TerminateIsRefusedAsync(remote, target, local, refusals, "Terminate sent as JSON");
        }
        finally
        {
            await attacker.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    [Fact]
    public async Task A_peer_can_neither_make_an_actor_here_watch_its_actors_nor_report_the_death_of_an_actor_here()
    {
        // Prevents: a forged Watch naming an actor of this node as the watcher made it watch the peer's actor (and crash
        // with a DeathPactException when that stopped, had it no Terminated handler); a forged DeathWatchNotification
        // naming an actor of this node made its watchers drop it while it lived (the game state its change feed to /ws).
        var refusals = CreateTestProbe();
        Sys.EventStream.Subscribe(refusals.Ref, typeof(LogEvent));
        var reports = CreateTestProbe();
        var victim = Sys.ActorOf(Props.Create(() => new TerminatedReporter(reports.Ref, null)), "victim");
        var alive = Sys.ActorOf(Props.Create(() => new Echo()), "alive");
        var watcher = Sys.ActorOf(Props.Create(() => new TerminatedReporter(reports.Ref, alive)), "watcher");
        reports.ExpectMsg("watching", TimeSpan.FromSeconds(10));
        var honestAddress = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;

        // A refused system message fails the sender's own link (it is resent until read): one attacker per message.
        var first = ActorSystem.Create("guard-watch-attacker", NodeConfig());
        try
        {
            var victimThere = (IInternalActorRef)await first.ActorSelection(new RootActorPath(honestAddress) / "user" / "victim").ResolveOne(TimeSpan.FromSeconds(10));
            var bait = (IInternalActorRef)first.ActorOf(Props.Create(() => new Echo()), "bait");
            victimThere.SendSystemMessage(new Watch(bait, victimThere));
            await RefusedAsync(refusals, "Watch system message naming an actor of this node as the watcher");
            // Had the victim taken the watch, the bait's stop would now reach it as a Terminated.
            first.Stop(bait);
            reports.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        }
        finally
        {
            await first.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }

        var second = ActorSystem.Create("guard-death-attacker", NodeConfig());
        try
        {
            var watcherThere = (IInternalActorRef)await second.ActorSelection(new RootActorPath(honestAddress) / "user" / "watcher").ResolveOne(TimeSpan.FromSeconds(10));
            var aliveThere = await second.ActorSelection(new RootActorPath(honestAddress) / "user" / "alive").ResolveOne(TimeSpan.FromSeconds(10));
            watcherThere.SendSystemMessage(new DeathWatchNotification(aliveThere, existenceConfirmed: true, addressTerminated: false));
            await RefusedAsync(refusals, "DeathWatchNotification system message naming the death of an actor of this node");
        }
        finally
        {
            await second.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }

        // Neither honest actor heard of a death, and a real one still reaches the watcher.
        reports.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Sys.Stop(alive);
        reports.ExpectMsg("terminated alive", TimeSpan.FromSeconds(10));
        reports.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Watches <paramref name="watched"/> if given, and reports every <see cref="Terminated"/> it gets.</summary>
    private sealed class TerminatedReporter : ReceiveActor
    {
        public TerminatedReporter(IActorRef report, IActorRef? watched)
        {
            if (watched is not null)
            {
                Context.Watch(watched);
                report.Tell("watching");
            }
            Receive<Terminated>(t => report.Tell($"terminated {t.ActorRef.Path.Name}"));
        }
    }

    /// <summary>
    /// The peer sends <c>Terminate</c> to <paramref name="remote"/> (the peer's reference to <paramref name="target"/>):
    /// refused as <paramref name="what"/>, and the target still answers, unwatched by its death (<paramref name="local"/>).
    /// </summary>
    private static async Task TerminateIsRefusedAsync(IActorRef remote, IActorRef target, Akka.TestKit.TestProbe local, Akka.TestKit.TestProbe refusals, string what)
    {
        ((IInternalActorRef)remote).SendSystemMessage(new Terminate());
        await RefusedAsync(refusals, what);
        var identity = await target.Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(10));
        Assert.Equal(target, identity.Subject);
        local.ExpectNoMsg(TimeSpan.Zero);
    }

    /// <summary>Waits until the honest node logs that it refused <paramref name="what"/>.</summary>
    private static Task RefusedAsync(Akka.TestKit.TestProbe log, string what) =>
        Task.Run(() => log.FishForMessage<LogEvent>(e => $"{e.Message} {e.Cause}".Contains($"{what} is refused", StringComparison.Ordinal)
                                                           || $"{e.Message} {e.Cause}".Contains($"{what} system message is refused", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15)));

    /// <summary>Watches <paramref name="target"/> from the peer's side and reports to <paramref name="report"/>.</summary>
    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef report, IActorRef target)
        {
            Context.Watch(target);
            report.Tell("watching");
            Receive<Terminated>(_ => report.Tell("terminated"));
        }
    }
}
