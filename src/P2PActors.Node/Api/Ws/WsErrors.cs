namespace P2PActors.Node.Api.Ws;

/// <summary>The <c>code</c> of every <c>error</c> frame; docs/protocol.md documents each with an example.</summary>
public static class WsErrors
{
    public const string BadJson = "bad-json";
    public const string UnknownType = "unknown-type";
    public const string InvalidField = "invalid-field";
    public const string NoSession = "no-session";
    public const string AlreadyBound = "already-bound";
    public const string SessionHeld = "session-held";
    public const string NotYourPlayer = "not-your-player";
    public const string TooLarge = "too-large";
    public const string RateLimited = "rate-limited";
    public const string SlowConsumer = "slow-consumer";
    public const string NotFound = "not-found";
    public const string Rejected = "rejected";
    public const string Undecided = "undecided";
    public const string Unavailable = "unavailable";
    public const string UnknownZone = "unknown-zone";
    public const string NotWalkable = "not-walkable";
    public const string OutOfBounds = "out-of-bounds";
    public const string RoomFull = "room-full";
    public const string InventoryFull = "inventory-full";
    public const string AlreadyShared = "already-shared";
    public const string PeerUnknown = "peer-unknown";
    public const string Internal = "internal";
}
