using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster;

namespace P2PActors.Cluster.State;

/// <summary>
/// How a <see cref="GameStateActor"/> reaches its peers' state actors: by <see cref="ActorSelection"/> until the peer
/// answered an <see cref="Identify"/>, then by the actor reference it returned. A selection costs both nodes a path
/// envelope per message and the receiver a path walk: with 500 WebSocket players that was about 2 % of a node's CPU
/// (perf, 2026-12-05), spent on every position batch.
/// <para>
/// A reference is kept per incarnation (<see cref="UniqueAddress"/>): a peer restarted on the same address is another
/// member and is identified again, so nothing is sent to a reference that died with the old process. An answer is
/// taken only when it carries the random nonce of a pending question and names the state actor at the asked address,
/// so another member cannot redirect one peer's batches by answering for it.
/// </para>
/// </summary>
internal sealed class PeerStateActors(Func<Address, ActorSelection> select, IActorRef self)
{
    /// <summary>A question not answered by then is asked again with the next message (the peer may not have started its actor yet).</summary>
    private const long RetryAfterMs = 2_000;

    private readonly Dictionary<UniqueAddress, IActorRef> _resolved = [];
    /// <summary>The question pending for each peer not resolved yet: its nonce, and when it was asked.</summary>
    private readonly Dictionary<UniqueAddress, (long Nonce, long AskedAt)> _questions = [];
    private readonly Dictionary<Address, ActorSelection> _selections = [];

    /// <summary>Peers reached through a resolved reference (for tests and diagnostics).</summary>
    public int Resolved => _resolved.Count;

    public void Tell(IReadOnlyCollection<UniqueAddress> peers, object message)
    {
        foreach (var peer in peers)
        {
            if (_resolved.TryGetValue(peer, out var actor))
            {
                actor.Tell(message, self);
                continue;
            }
            var selection = Selection(peer.Address);
            selection.Tell(message, self);
            Ask(peer, selection);
        }
    }

    /// <summary>Takes an answer to one of this node's questions; anything else is ignored.</summary>
    public void Answered(ActorIdentity identity, Action<IActorRef> watch)
    {
        if (identity.MessageId is not long nonce)
            return;
        var asked = _questions.FirstOrDefault(q => q.Value.Nonce == nonce).Key;
        if (asked is null)
            return;
        _questions.Remove(asked);
        var expected = new RootActorPath(asked.Address) / "user" / GameStateActor.Name;
        if (identity.Subject is not { } subject || !subject.Path.Equals(expected))
            return;
        _resolved[asked] = subject;
        watch(subject);
    }

    /// <summary>A watched state actor stopped (or its node was removed): back to the selection until it is identified again.</summary>
    public void Terminated(IActorRef actor)
    {
        foreach (var (peer, _) in _resolved.Where(kv => kv.Value.Equals(actor)).ToList())
            _resolved.Remove(peer);
    }

    private void Ask(UniqueAddress peer, ActorSelection selection)
    {
        var now = Environment.TickCount64;
        if (_questions.TryGetValue(peer, out var pending) && now - pending.AskedAt < RetryAfterMs)
            return;
        // A new question replaces the old one: a late answer to that one is ignored.
        var nonce = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));
        _questions[peer] = (nonce, now);
        selection.Tell(new Identify(nonce), self);
    }

    private ActorSelection Selection(Address address)
    {
        if (!_selections.TryGetValue(address, out var selection))
            _selections[address] = selection = select(address);
        return selection;
    }

    /// <summary>Drops what is kept for members that left, so the tables do not grow with every incarnation ever seen.</summary>
    public void Retain(IReadOnlyCollection<UniqueAddress> peers)
    {
        var current = peers.ToHashSet();
        foreach (var gone in _resolved.Keys.Where(p => !current.Contains(p)).ToList()) _resolved.Remove(gone);
        foreach (var gone in _questions.Keys.Where(p => !current.Contains(p)).ToList()) _questions.Remove(gone);
        var addresses = current.Select(p => p.Address).ToHashSet();
        foreach (var gone in _selections.Keys.Where(a => !addresses.Contains(a)).ToList()) _selections.Remove(gone);
    }
}
