namespace P2PActors.Node.Api;

/// <summary>A content request after its body has been read and checked: every field is usable as it is.</summary>
public sealed record ContentRequest(string PlayerId, long? Seed, IReadOnlyDictionary<string, string> Params);
