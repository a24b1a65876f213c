using System.Security.Cryptography;
using System.Text;
using P2PActors.Cluster.Serialization;

namespace P2PActors.Cluster.Sessions;

/// <summary>
/// A live WebSocket session's hold on a player, replicated to every node. <see cref="TokenHash"/> is the SHA-256 of
/// the resume token (the token itself never leaves the page and the node that issued it). <see cref="PeerId"/> names
/// the connection currently serving the session, so the node serving an older connection knows it was taken over.
/// <see cref="HeldUntilMs"/> is <see cref="long.MaxValue"/> while a connection is open, and the end of the resume
/// grace once it dropped. <see cref="NodeUid"/> tells a restarted node on the same address from the one that wrote the claim.
/// </summary>
public sealed record SessionClaim(string SessionId, string TokenHash, string Node, long NodeUid, string PeerId, long HeldUntilMs) : IP2PMessage;

/// <summary>The pure rules of claims: when one blocks, how tokens are made and compared.</summary>
public static class SessionClaimRules
{
    public const long Connected = long.MaxValue;

    /// <summary>
    /// A claim blocks other connections only while the node that wrote it is still a member of the cluster and, for a
    /// dropped connection, its resume grace has not passed.
    /// </summary>
    public static bool IsBlocking(SessionClaim claim, Func<string, long, bool> isMember, long nowMs) =>
        claim.HeldUntilMs > nowMs && isMember(claim.Node, claim.NodeUid);

    /// <summary>32 random bytes, base64url: a bearer secret the page keeps to resume its session.</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string NewSessionId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Compares in constant time, so the answer's timing says nothing about how much of a guess was right.</summary>
    public static bool Matches(SessionClaim claim, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(claim.TokenHash), Encoding.ASCII.GetBytes(Hash(token)));
}
