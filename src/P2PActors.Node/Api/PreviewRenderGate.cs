namespace P2PActors.Node.Api;

/// <summary>
/// The queue in front of large preview renders. A 4096 px render holds a 64 MB bitmap and a core for seconds; without
/// a bound, 50 of them at once took up to 10 s each and 884 MB. Large renders take one of a few slots, in arrival
/// order; a request that gets no slot within the request timeout is answered 503 instead of piling up. Small renders
/// and cache hits never wait.
/// </summary>
public sealed class PreviewRenderGate(int slots)
{
    /// <summary>Renders whose longest side is above this many pixels count as large.</summary>
    public const int LargeSide = 1024;

    private readonly SemaphoreSlim _slots = new(slots, slots);
    private int _running;
    private int _peak;
    private long _waited;

    public int Slots { get; } = slots;

    /// <summary>The most large renders that have held a slot at the same time.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>How many requests found every slot taken and had to wait.</summary>
    public long Waited => Interlocked.Read(ref _waited);

    /// <summary>A slot, released when disposed; null when none came free within <paramref name="patience"/>.</summary>
    public async Task<IDisposable?> EnterAsync(TimeSpan patience, CancellationToken ct)
    {
        if (!_slots.Wait(0))
        {
            Interlocked.Increment(ref _waited);
            if (!await _slots.WaitAsync(patience, ct))
                return null;
        }
        var running = Interlocked.Increment(ref _running);
        int peak;
        while (running > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, running, peak) != peak)
        {
        }
        return new Slot(this);
    }

    private sealed class Slot(PreviewRenderGate gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
                return;
            Interlocked.Decrement(ref gate._running);
            gate._slots.Release();
        }
    }
}
