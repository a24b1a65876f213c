using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;

namespace P2PActors.Node.Api;

/// <summary>
/// The shares of one node still in their vote. The "already shared" check reads the catalog, which lists content only
/// once its share is done: two shares of the same content at once (a double click, two tabs, a script retrying) both
/// passed it, both were voted on, and the second header replaced the first's author in the listing. A share of
/// content another share on this node is still voting on now waits for that one and learns how it ended: listed, it
/// checks the catalog again (and is told who shared it); rejected or undecided, it is answered with that vote, so a
/// burst of shares of content that does not pass costs one vote, not one after another. Shares on different nodes
/// at the same moment can still both pass: no node sees the other's in time.
/// </summary>
internal sealed class SharesInFlight
{
    private static readonly ConditionalWeakTable<ActorSystem, SharesInFlight> PerNode = new();

    /// <summary>Each running share's end: what it answered, or null when it failed (an exception, the caller gone).</summary>
    private readonly ConcurrentDictionary<string, Task<object?>> _running = new(StringComparer.Ordinal);

    public static SharesInFlight For(ActorSystem system) => PerNode.GetValue(system, _ => new SharesInFlight());

    /// <summary>
    /// Runs <paramref name="share"/> for <paramref name="contentId"/> as the only share of it on this node
    /// (<c>Waited</c> false). When another one was running, waits for it to end and answers what it answered
    /// (<c>Waited</c> true; <c>Result</c> null when it failed), without running <paramref name="share"/>.
    /// </summary>
    public async Task<(T? Result, bool Waited)> RunAloneAsync<T>(string contentId, Func<Task<T>> share, CancellationToken ct) where T : class
    {
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _running.GetOrAdd(contentId, done.Task);
        if (running != done.Task)
            return (await running.WaitAsync(ct) as T, true);
        T? result = null;
        try
        {
            result = await share();
            return (result, false);
        }
        finally
        {
            // Out of the table before the waiters wake, so the one that runs next takes the slot.
            _running.TryRemove(new KeyValuePair<string, Task<object?>>(contentId, done.Task));
            done.TrySetResult(result);
        }
    }
}
