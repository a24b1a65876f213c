using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;

namespace P2PActors.Node.Api;

/// <summary>
/// The shares of one node still in their vote. The "already shared" check reads the catalog, which lists content only
/// once its share is done: two shares of the same content at once (a double click, two tabs, a script retrying) both
/// passed it, both were voted on, and the second header replaced the first's author in the listing. A share of
/// content another share on this node is still voting on now waits for that one, then checks the catalog again.
/// Shares on different nodes at the same moment can still both pass: no node sees the other's in time.
/// </summary>
internal sealed class SharesInFlight
{
    private static readonly ConditionalWeakTable<ActorSystem, SharesInFlight> PerNode = new();

    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);

    public static SharesInFlight For(ActorSystem system) => PerNode.GetValue(system, _ => new SharesInFlight());

    /// <summary>
    /// Runs <paramref name="share"/> for <paramref name="contentId"/> as the only share of it on this node; null when
    /// another one was running, once that one has ended (the caller then checks the catalog again and retries).
    /// </summary>
    public async Task<T?> RunAloneAsync<T>(string contentId, Func<Task<T>> share, CancellationToken ct) where T : class
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _running.GetOrAdd(contentId, done.Task);
        if (running != done.Task)
        {
            // Its outcome is the other caller's to answer; here only its end counts.
            await running.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .WaitAsync(ct);
            return null;
        }
        try
        {
            return await share();
        }
        finally
        {
            _running.TryRemove(new KeyValuePair<string, Task>(contentId, done.Task));
            done.TrySetResult();
        }
    }
}
