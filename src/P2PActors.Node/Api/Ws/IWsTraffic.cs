namespace P2PActors.Node.Api.Ws;

/// <summary>
/// Told of every WebSocket message read and frame written (the node's metrics count them). An interface so the
/// connection knows nothing of how they are counted, and runs without it when metrics are off.
/// </summary>
public interface IWsTraffic
{
    void MessageReceived();

    void MessageSent();
}
