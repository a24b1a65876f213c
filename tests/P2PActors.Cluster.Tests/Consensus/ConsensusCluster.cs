using Akka.Actor;
using Akka.TestKit;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.State;
using P2PActors.Cluster.Tests.State;
using P2PActors.Content.Generation;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>A cluster node with consensus on: real ActorSystem, remoting on 127.0.0.1, certificate-checking catalog.</summary>
public sealed class ConsensusNode(StateNode node, ConsensusRuntime runtime, CertificateAdmission admission) : IAsyncDisposable
{
    public StateNode Node { get; } = node;
    public ActorSystem System => Node.System;
    public GameState State => Node.State;
    public ConsensusRuntime Runtime { get; } = runtime;
    public CertificateAdmission Admission { get; } = admission;
    public ConsensusClient Client => ConsensusClient.For(System);
    public ConsensusView View => Runtime.Snapshot.View;
    public Address Address => Node.Address;

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}

public static class ConsensusCluster
{
    public static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(30);

    public static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>();

    /// <summary>
    /// Starts one node. With <paramref name="dataDirectory"/> its replicated state (catalog, set attestations) is durable
    /// there and its validator key lives there too, so a node restarted on the same folder is the same validator.
    /// </summary>
    public static ConsensusNode StartNode(ConsensusOptions options, Address? seed, bool crashOnTerminate = false, string? dataDirectory = null)
    {
        var snapshot = new ConsensusSnapshot();
        var admission = new CertificateAdmission(snapshot);
        if (dataDirectory is not null)
            options = options with { KeyDirectory = dataDirectory };
        var node = TestCluster.StartNode(new StateNodeOptions
        {
            State = new GameStateSettings { Admission = admission, GossipInterval = TimeSpan.FromMilliseconds(200), DataDirectory = dataDirectory },
            CrashOnTerminate = crashOnTerminate,
        }, seed);
        var runtime = ConsensusRuntime.Start(node.System, options, snapshot);
        admission.Log = Akka.Event.Logging.GetLogger(node.System, typeof(CertificateAdmission));
        return new ConsensusNode(node, runtime, admission);
    }

    /// <summary>Starts <paramref name="count"/> nodes and returns once every node counts votes in the same set of all of them.</summary>
    public static async Task<ConsensusNode[]> StartAsync(TestKitBase kit, int count, Func<int, ConsensusOptions>? options = null, bool crashOnTerminate = false)
    {
        // 5 s, not the node's 500 ms: these tests expect decisions, which come as soon as the votes do, and a loaded CI
        // machine can hold a vote back longer than two 500 ms windows. A test that expects Undecided passes its own.
        options ??= _ => new ConsensusOptions { DecisionTimeout = TimeSpan.FromSeconds(5) };
        var first = StartNode(options(0), null, crashOnTerminate);
        var nodes = new List<ConsensusNode> { first };
        for (var i = 1; i < count; i++)
            nodes.Add(StartNode(options(i), first.Address, crashOnTerminate));
        await TestCluster.AllUpAsync(kit, nodes.Select(n => n.Node).ToList(), count);
        await SameSetAsync(kit, nodes, count);
        return nodes.ToArray();
    }

    public static Task SameSetAsync(TestKitBase kit, IReadOnlyList<ConsensusNode> nodes, int members) =>
        kit.AwaitAssertAsync(() =>
        {
            var hashes = nodes.Select(n => n.View.Current?.Hash).Distinct().ToList();
            Assert.Single(hashes);
            Assert.NotNull(hashes[0]);
            Assert.Equal(members, nodes[0].View.Current!.Count);
        }, ConvergeTimeout, TimeSpan.FromMilliseconds(25));

    public static async Task DisposeAllAsync(IEnumerable<ConsensusNode?> nodes) =>
        await Task.WhenAll(nodes.OfType<ConsensusNode>().Select(n => n.DisposeAsync().AsTask()));

    public static GameContent Valid(ContentType type, long seed) => ContentFactory.Generate(type, NoParameters, seed);

    /// <summary>
    /// The header a test proposes <paramref name="content"/> under when it sends a <see cref="Proposal"/> to
    /// <paramref name="validatorNode"/>'s validator itself: a test actor is local to the validator, so the holder
    /// must be the validator's own node.
    /// </summary>
    public static EntryHeader HeaderAt(ConsensusNode validatorNode, GameContent content, string author = "tester") =>
        new(content.Type, content.DisplayName, author, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), validatorNode.State.HolderAddress);

    /// <summary>Valid content made overpowered, under a correct id: only the balance rules can catch it.</summary>
    public static GameContent Overpowered(long seed) => ByzantineBehaviour.Overpower(Valid(ContentType.Item, seed));
}

public static class RawCatalog
{
    /// <summary>Writes a header straight into the replicated catalog on <paramref name="node"/>, bypassing every check, to all nodes.</summary>
    public static async Task WriteAsync(ConsensusNode node, CatalogHeader header)
    {
        var keys = node.State.Settings.CreateKeys();
        var self = Akka.Cluster.Cluster.Get(node.System).SelfUniqueAddress;
        var replicator = Akka.DistributedData.DistributedData.Get(node.System).Replicator;
        var response = await replicator.Ask<Akka.DistributedData.IUpdateResponse>(
            Akka.DistributedData.Dsl.Update(keys.CatalogKey(header.Id), CatalogBucket.Empty,
                new Akka.DistributedData.WriteAll(TimeSpan.FromSeconds(5)), d => d.SetItem(self, header)),
            TimeSpan.FromSeconds(10));
        Assert.True(response.IsSuccessful, $"raw catalog write failed: {response}");
    }

    /// <summary>
    /// One more write of <paramref name="writer"/> to the bucket of each id, confirmed by every node: whatever the writer
    /// wrote to those buckets before (in a delta ahead of this one, or in the bucket sent whole with it), every node has
    /// taken by the time this returns. What it writes is a forgery every node refutes, so no replica but the writer's keeps it.
    /// </summary>
    public static async Task SettleAsync(ConsensusNode writer, IEnumerable<string> ids)
    {
        var set = writer.View.Current ?? throw new InvalidOperationException("the writer has no validator set");
        foreach (var prefix in ids.Select(id => id[..2]).Distinct(StringComparer.Ordinal))
            await WriteAsync(writer, CatalogForger.ForgedHeader(prefix + new string('7', 62), ContentType.Item, set,
                "akka.tcp://p2pactors@127.0.0.1:1", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    /// <summary>Every header the node's replica holds for the id, newest first, admitted or not.</summary>
    public static async Task<IReadOnlyList<CatalogHeader>> ReplicaVariantsAsync(ConsensusNode node, string id)
    {
        var key = node.State.Settings.CreateKeys().CatalogKey(id);
        var response = await Akka.DistributedData.DistributedData.Get(node.System).Replicator.Ask<Akka.DistributedData.IGetResponse>(
            Akka.DistributedData.Dsl.Get(key, Akka.DistributedData.ReadLocal.Instance), TimeSpan.FromSeconds(10));
        return response is Akka.DistributedData.GetSuccess success ? success.Get(key).Variants(id).Select(v => v.Header).ToList() : [];
    }

    /// <summary>The newest header the node's replica holds for the id, admitted or not; null when it holds none.</summary>
    public static async Task<CatalogHeader?> ReplicaEntryAsync(ConsensusNode node, string id)
    {
        var keys = node.State.Settings.CreateKeys();
        var key = keys.CatalogKey(id);
        var replicator = Akka.DistributedData.DistributedData.Get(node.System).Replicator;
        var response = await replicator.Ask<Akka.DistributedData.IGetResponse>(
            Akka.DistributedData.Dsl.Get(key, Akka.DistributedData.ReadLocal.Instance), TimeSpan.FromSeconds(10));
        return response is Akka.DistributedData.GetSuccess success && success.Get(key).Variants(id) is [var newest, ..] ? newest.Header : null;
    }
}
