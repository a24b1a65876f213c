using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using P2PActors.Cluster.Replicas;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Sessions;

public abstract record ClaimOutcome;

/// <summary>The connection now holds the player; <see cref="ResumeToken"/> is new (a resume rotates it).</summary>
public sealed record ClaimGranted(string SessionId, string ResumeToken, bool Resumed) : ClaimOutcome;

/// <summary>A live session elsewhere (this node or another) holds the player, and no matching resume token was given.</summary>
public sealed record ClaimRefused : ClaimOutcome;

/// <summary>What <see cref="SessionClaims.EndAsync"/> did.</summary>
public enum EndOutcome
{
    /// <summary>The session is over: the player may join again at once.</summary>
    Ended,
    /// <summary>No live session holds the player (none ever did, or its grace already passed).</summary>
    NotHeld,
    /// <summary>A session holds the player, but the token given is not its own.</summary>
    NotYours,
}

/// <summary>
/// Cluster-wide session claims: which live WebSocket session holds which player (see docs/protocol.md, "Session
/// claims"). Kept in Distributed Data LWW dictionaries bucketed by player, written and read with a majority, so a
/// claim survives the node that wrote it only as long as that node is a member.
/// </summary>
public sealed class SessionClaims
{
    public const string KeyPrefix = "session-";
    public const int Buckets = 16;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private readonly Akka.Cluster.Cluster _cluster;
    private readonly IActorRef _replicator;
    private readonly ConcurrentDictionary<string, ImmutableList<Watcher>> _watchers = new(StringComparer.Ordinal);

    private sealed record Watcher(string PeerId, Action Taken);

    private SessionClaims(ActorSystem system, IActorRef replicator)
    {
        _cluster = Akka.Cluster.Cluster.Get(system);
        _replicator = replicator;
        Keys = [.. Enumerable.Range(0, Buckets).Select(i => new LWWDictionaryKey<string, SessionClaim>($"{KeyPrefix}{i}"))];
    }

    public IReadOnlyList<LWWDictionaryKey<string, SessionClaim>> Keys { get; }

    public static SessionClaims Start(ActorSystem system)
    {
        var holder = system.WithExtension<SessionClaimsHolder, SessionClaimsHolderProvider>();
        lock (holder)
        {
            if (holder.Instance is not null) throw new InvalidOperationException("SessionClaims is already started on this ActorSystem");
            var replicator = DistributedData.Get(system).Replicator;
            holder.Instance = new SessionClaims(system, replicator);
            system.ActorOf(SessionClaimsActor.Props(holder.Instance, replicator), SessionClaimsActor.Name);
            return holder.Instance;
        }
    }

    public static SessionClaims For(ActorSystem system) =>
        system.WithExtension<SessionClaimsHolder, SessionClaimsHolderProvider>().Instance
        ?? throw new InvalidOperationException("SessionClaims has not been started on this ActorSystem (WithSessionClaims)");

    /// <summary>This node's Akka address, as claims name it.</summary>
    public string SelfNode => _cluster.SelfAddress.ToString();

    public LWWDictionaryKey<string, SessionClaim> KeyFor(string playerId) => Keys[(int)(StateKeys.StableHash(playerId) % Buckets)];

    /// <summary>
    /// Claims <paramref name="playerId"/> for the connection <paramref name="peerId"/>: granted when no live session
    /// holds the player, or when <paramref name="resumeToken"/> is the holding session's (a resume; the connection
    /// that held it before is then told it was taken, wherever it is).
    /// </summary>
    public async Task<ClaimOutcome> ClaimAsync(string playerId, string? resumeToken, string peerId, CancellationToken ct = default)
    {
        var key = KeyFor(playerId);
        // Merges what a majority knows into this node's replica before deciding on it.
        await _replicator.Ask<IGetResponse>(Dsl.Get(key, new ReadMajority(Timeout)), Timeout + Timeout, ct).ConfigureAwait(false);

        var token = SessionClaimRules.NewToken();
        ClaimOutcome outcome = new ClaimRefused();
        var self = _cluster.SelfUniqueAddress;
        // The replicator runs this on its own thread against its current value, so two claims on this node never interleave.
        LWWDictionary<string, SessionClaim> Modify(LWWDictionary<string, SessionClaim> claims)
        {
            var existing = claims.TryGetValue(playerId, out var found) ? found : null;
            var nowMs = NowMs();
            string sessionId;
            bool resumed;
            if (existing is not null && SessionClaimRules.Matches(existing, resumeToken))
                (sessionId, resumed) = (existing.SessionId, true);
            else if (existing is not null && SessionClaimRules.IsBlocking(existing, IsMember, nowMs))
                return claims;
            else
                (sessionId, resumed) = (SessionClaimRules.NewSessionId(), false);
            outcome = new ClaimGranted(sessionId, token, resumed);
            var claim = new SessionClaim(sessionId, SessionClaimRules.Hash(token), self.Address.ToString(), self.Uid, peerId, SessionClaimRules.Connected);
            return WithoutExpired(claims, self, nowMs, playerId).SetItem(self, playerId, claim);
        }

        var reply = await _replicator.Ask<IUpdateResponse>(
            Dsl.Update(key, LWWDictionary<string, SessionClaim>.Empty, new WriteMajority(Timeout), Modify), Timeout + Timeout, ct).ConfigureAwait(false);
        if (reply is ModifyFailure failure)
            throw new InvalidOperationException("The session claim could not be written.", failure.Cause);
        // UpdateTimeout: written here, not yet confirmed by a majority; it still replicates, so the claim stands.
        if (outcome is ClaimGranted)
            NotifyTaken(playerId, peerId);
        return outcome;
    }

    /// <summary>
    /// The connection <paramref name="peerId"/> ended. Clean close (<paramref name="grace"/> null): the claim goes. A
    /// drop: the claim is kept for the grace, so only the resume token can take the player meanwhile. A claim that
    /// has moved to another connection is left alone.
    /// </summary>
    public async Task ReleaseAsync(string playerId, string peerId, TimeSpan? grace, CancellationToken ct = default)
    {
        var self = _cluster.SelfUniqueAddress;
        LWWDictionary<string, SessionClaim> Modify(LWWDictionary<string, SessionClaim> claims)
        {
            if (!claims.TryGetValue(playerId, out var claim) || claim.PeerId != peerId)
                return claims;
            var nowMs = NowMs();
            var pruned = WithoutExpired(claims, self, nowMs, playerId);
            return grace is { } keep
                ? pruned.SetItem(self, playerId, claim with { HeldUntilMs = nowMs + (long)keep.TotalMilliseconds })
                : pruned.RemoveAsFullState(self, playerId);
        }

        await _replicator.Ask<IUpdateResponse>(
            Dsl.Update(KeyFor(playerId), LWWDictionary<string, SessionClaim>.Empty, new WriteMajority(Timeout), Modify), Timeout + Timeout, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a session for a caller holding its resume token (a page that left while its connection was down): without
    /// it the player could not join again, anywhere, until the grace passed. Its connection may still count as open
    /// here (the node has not noticed the drop yet); it is ended all the same, as a resume with the token would take it
    /// over, and the next claim of the player closes that connection.
    /// </summary>
    public async Task<EndOutcome> EndAsync(string playerId, string? token, CancellationToken ct = default)
    {
        var key = KeyFor(playerId);
        await _replicator.Ask<IGetResponse>(Dsl.Get(key, new ReadMajority(Timeout)), Timeout + Timeout, ct).ConfigureAwait(false);
        var outcome = EndOutcome.NotHeld;
        var self = _cluster.SelfUniqueAddress;
        LWWDictionary<string, SessionClaim> Modify(LWWDictionary<string, SessionClaim> claims)
        {
            if (!claims.TryGetValue(playerId, out var claim) || !SessionClaimRules.IsBlocking(claim, IsMember, NowMs()))
                return claims;
            if (!SessionClaimRules.Matches(claim, token))
            {
                outcome = EndOutcome.NotYours;
                return claims;
            }
            outcome = EndOutcome.Ended;
            return claims.RemoveAsFullState(self, playerId);
        }

        await _replicator.Ask<IUpdateResponse>(
            Dsl.Update(key, LWWDictionary<string, SessionClaim>.Empty, new WriteMajority(Timeout), Modify), Timeout + Timeout, ct).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// Whether a caller presenting <paramref name="token"/> (null: none) may act for the player: always when no live
    /// session holds it, otherwise only with the holding session's resume token.
    /// </summary>
    public async Task<bool> MayActAsync(string playerId, string? token, CancellationToken ct = default)
    {
        var key = KeyFor(playerId);
        var reply = await _replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), Timeout, ct).ConfigureAwait(false);
        if (reply is not GetSuccess success || !success.Get(key).TryGetValue(playerId, out var claim))
            return true;
        return !SessionClaimRules.IsBlocking(claim, IsMember, NowMs()) || SessionClaimRules.Matches(claim, token);
    }

    /// <summary>Calls <paramref name="taken"/> (once) when the player's claim moves to another connection than <paramref name="peerId"/>.</summary>
    public IDisposable Watch(string playerId, string peerId, Action taken)
    {
        var watcher = new Watcher(peerId, taken);
        _watchers.AddOrUpdate(playerId, [watcher], (_, list) => list.Add(watcher));
        return new Unwatch(() => Remove(playerId, watcher));
    }

    /// <summary>The replicated claims changed (this node's write or a peer's): tell every connection that lost its player.</summary>
    internal void OnChanged(LWWDictionary<string, SessionClaim> claims)
    {
        foreach (var (playerId, claim) in claims)
        {
            if (_watchers.ContainsKey(playerId))
                NotifyTaken(playerId, claim.PeerId);
        }
    }

    /// <summary>Members whose claims still count: not downed, exiting or removed (the same incarnation, by uid).</summary>
    internal bool IsMember(string node, long uid) =>
        _cluster.State.Members.Any(m => m.UniqueAddress.Uid == uid && m.Address.ToString() == node
                                        && m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up or MemberStatus.Leaving);

    private void NotifyTaken(string playerId, string holderPeerId)
    {
        if (!_watchers.TryGetValue(playerId, out var list))
            return;
        foreach (var watcher in list.Where(w => w.PeerId != holderPeerId))
        {
            if (Remove(playerId, watcher))
                watcher.Taken();
        }
    }

    private bool Remove(string playerId, Watcher watcher)
    {
        while (_watchers.TryGetValue(playerId, out var list))
        {
            if (!list.Contains(watcher))
                return false;
            var updated = list.Remove(watcher);
            if (updated.IsEmpty ? _watchers.TryRemove(new(playerId, list)) : _watchers.TryUpdate(playerId, updated, list))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The bucket without the claims whose resume grace has passed (other than <paramref name="keep"/>'s, which the
    /// caller is deciding on). They block nobody, and nothing else would ever delete them: every player whose page once
    /// dropped stayed in the replicated claims for good, read by each hello from a majority.
    /// </summary>
    private static LWWDictionary<string, SessionClaim> WithoutExpired(
        LWWDictionary<string, SessionClaim> claims, UniqueAddress self, long nowMs, string keep)
    {
        var result = claims;
        foreach (var (playerId, claim) in claims)
            if (claim.HeldUntilMs <= nowMs && playerId != keep)
                result = result.RemoveAsFullState(self, playerId);
        return result;
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private sealed class Unwatch(Action stop) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) stop();
        }
    }
}

internal sealed class SessionClaimsHolder : IExtension
{
    public SessionClaims? Instance { get; set; }
}

internal sealed class SessionClaimsHolderProvider : ExtensionIdProvider<SessionClaimsHolder>
{
    public override SessionClaimsHolder CreateExtension(ExtendedActorSystem system) => new();
}
