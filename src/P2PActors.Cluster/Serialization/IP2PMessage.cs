namespace P2PActors.Cluster.Serialization;

/// <summary>
/// Marker for every message or replicated value that crosses the network. All of them are bound to
/// <see cref="P2PJsonSerializer"/>, so nothing of ours falls back to Akka's default serializer.
/// </summary>
public interface IP2PMessage;
