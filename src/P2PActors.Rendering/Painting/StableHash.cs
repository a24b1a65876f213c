namespace P2PActors.Rendering.Painting;

/// <summary>
/// Process-independent hashing for visual variation. string.GetHashCode and HashCode are randomised per process,
/// which would make the same content look different on two peers.
/// </summary>
internal static class StableHash
{
    public static ulong Of(string? text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text ?? string.Empty)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return Mix(hash);
    }

    public static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }

    public static ulong Combine(ulong a, ulong b) => Mix(a ^ (b + 0x9e3779b97f4a7c15UL + (a << 6) + (a >> 2)));

    public static ulong Combine(ulong a, long b) => Combine(a, unchecked((ulong)b));

    /// <summary>A value in [0, 1) drawn from a hash and a slot, so one hash yields many independent choices.</summary>
    public static float Unit(ulong hash, int slot) => (Combine(hash, slot) >> 40) / (float)(1UL << 24);

    public static int Pick(ulong hash, int slot, int count) => (int)(Combine(hash, slot) % (ulong)count);
}
