using System.Security.Cryptography;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Everything a Byzantine validator does differently, in one place: given the vote an honest validator would cast,
/// the votes this node actually sends. Honest nodes (and <see cref="ByzantineMode.Overpowered"/>, whose misdeeds are
/// in what it proposes, see <see cref="Overpower"/>) send the honest vote.
/// </summary>
public sealed class ByzantineBehaviour(ByzantineMode mode, ValidatorIdentity identity, VerifiedSignatureCache? signed = null)
{
    public const string RejectAllRule = "byzantine.reject-all";
    private const int ReplayMemory = 16;

    private readonly Queue<Vote> _signedEarlier = new();
    private readonly Dictionary<string, bool> _challengers = new(StringComparer.Ordinal);

    public ByzantineMode Mode { get; } = mode;

    /// <summary>Answers arrive only after the proposer gave up (<see cref="ByzantineMode.Slow"/>).</summary>
    public bool DelaysAnswers => Mode == ByzantineMode.Slow;

    /// <summary>Also writes catalog entries with forged certificates straight into the replicated catalog.</summary>
    public bool ForgesCatalogEntries => Mode == ByzantineMode.ForgeSignatures;

    /// <summary>
    /// Whether this node answers an identity challenge from <paramref name="challenger"/> (a node address). A
    /// <see cref="ByzantineMode.Mute"/> node answers nobody; a <see cref="ByzantineMode.PartialMute"/> node answers
    /// every other distinct challenger in the order they first asked (the first yes, the second no, …), so honest
    /// nodes that challenge it see different things.
    /// </summary>
    public bool AnswersChallengeFrom(string challenger)
    {
        switch (Mode)
        {
            case ByzantineMode.Mute:
                return false;
            case ByzantineMode.PartialMute:
                if (!_challengers.TryGetValue(challenger, out var answers))
                {
                    if (_challengers.Count >= 4096)
                        return false;
                    _challengers[challenger] = answers = _challengers.Count % 2 == 0;
                }
                return answers;
            default:
                return true;
        }
    }

    public IReadOnlyList<Vote> Respond(Vote honest, string setHash)
    {
        switch (Mode)
        {
            case ByzantineMode.Silent:
                return [];
            case ByzantineMode.ApproveAll:
                return [honest.Approve ? honest : identity.Vote(honest.ContentId, honest.Epoch, setHash, true, [], honest.HeaderDigest)];
            case ByzantineMode.RejectAll:
                return [honest.Approve ? identity.Vote(honest.ContentId, honest.Epoch, setHash, false, [RejectAllRule], honest.HeaderDigest) : honest];
            case ByzantineMode.Equivocate:
                var approve = honest.Approve ? honest : identity.Vote(honest.ContentId, honest.Epoch, setHash, true, [], honest.HeaderDigest);
                var reject = honest.Approve ? identity.Vote(honest.ContentId, honest.Epoch, setHash, false, [RejectAllRule], honest.HeaderDigest) : honest;
                return [approve, reject];
            case ByzantineMode.ForgeSignatures:
                return [honest with { Approve = true, Rules = [], Signature = RandomNumberGenerator.GetBytes(ValidatorKeys.SignatureLength) }];
            case ByzantineMode.Replay:
                var earlier = _signedEarlier.FirstOrDefault(v => v.ContentId != honest.ContentId || v.Epoch != honest.Epoch);
                Remember(identity.Vote(honest.ContentId, honest.Epoch, setHash, true, [], honest.HeaderDigest));
                return earlier is null ? [] : [earlier with { }];
            default:
                return [honest];
        }
    }

    /// <summary>
    /// The votes this node sends for many honest verdicts at once, one list per statement in the same order. Everything
    /// it signs is signed together, with one batch signature (<see cref="ValidatorIdentity.SignBatch"/>): an
    /// equivocator's two conflicting votes on the same content then share one Merkle root.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Vote>> RespondAll(IReadOnlyList<VoteStatement> honest)
    {
        ArgumentNullException.ThrowIfNull(honest);
        var responses = new IReadOnlyList<Vote>[honest.Count];
        switch (Mode)
        {
            case ByzantineMode.Silent:
                Array.Fill(responses, []);
                return responses;
            case ByzantineMode.Replay:
                for (var i = 0; i < honest.Count; i++)
                    responses[i] = Respond(identity.Vote(honest[i].ContentId, honest[i].Epoch, honest[i].SetHash, honest[i].Approve, honest[i].Rules, honest[i].HeaderDigest), honest[i].SetHash);
                return responses;
            case ByzantineMode.ForgeSignatures:
                for (var i = 0; i < honest.Count; i++)
                    responses[i] = [new Vote(identity.ValidatorId, honest[i].ContentId, honest[i].Epoch, true, [], RandomNumberGenerator.GetBytes(ValidatorKeys.SignatureLength), HeaderDigest: honest[i].HeaderDigest)];
                return responses;
        }
        var perStatement = Mode == ByzantineMode.Equivocate ? 2 : 1;
        var toSign = new List<VoteStatement>(honest.Count * perStatement);
        foreach (var statement in honest)
        {
            var approve = statement.Approve ? statement : statement with { Approve = true, Rules = [] };
            var reject = statement.Approve ? statement with { Approve = false, Rules = [RejectAllRule] } : statement;
            switch (Mode)
            {
                case ByzantineMode.ApproveAll:
                    toSign.Add(approve);
                    break;
                case ByzantineMode.RejectAll:
                    toSign.Add(reject);
                    break;
                case ByzantineMode.Equivocate:
                    toSign.Add(approve);
                    toSign.Add(reject);
                    break;
                default:
                    toSign.Add(statement);
                    break;
            }
        }
        var votes = identity.SignBatch(toSign, signed);
        for (var i = 0; i < honest.Count; i++)
            responses[i] = perStatement == 1 ? [votes[i]] : [votes[2 * i], votes[2 * i + 1]];
        return responses;
    }

    private void Remember(Vote vote)
    {
        _signedEarlier.Enqueue(vote);
        if (_signedEarlier.Count > ReplayMemory)
            _signedEarlier.Dequeue();
    }

    /// <summary>
    /// What an <see cref="ByzantineMode.Overpowered"/> node proposes instead of <paramref name="content"/>: the same
    /// content with stats (or rewards) far past the balance rules, under a correct id. Other types come back unchanged.
    /// </summary>
    public static GameContent Overpower(GameContent content) => content switch
    {
        Character c => ContentJson.WithId(c with { Stats = Boost(c.Stats) }),
        Item i => ContentJson.WithId(i with { Stats = Boost(i.Stats) }),
        Quest q => ContentJson.WithId(q with { Rewards = q.Rewards with { Gold = q.Rewards.Gold * 1000 + 1_000_000, Xp = q.Rewards.Xp * 1000 + 1_000_000 } }),
        _ => content,
    };

    private static Stats Boost(Stats s) => new(s.Hp + 9_999, s.Atk + 999, s.Def + 999, s.Spd + 999, s.Mp + 999, s.Int + 999, s.Lck + 999);
}
