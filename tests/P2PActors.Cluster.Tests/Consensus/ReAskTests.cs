using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using P2PActors.Cluster.Consensus;
using static P2PActors.Cluster.Consensus.ConsensusProtocol;

namespace P2PActors.Cluster.Tests.Consensus;

/// <summary>
/// The coordinator with TestKit probes standing in for the four validators of its set: each probe answers (or not) as
/// a test says, with votes signed by that validator's real key, so the coordinator's tally checks them as it would any.
/// The windows run on Akka's <see cref="TestScheduler"/>: a window closes when a test advances it, never because the
/// machine was slow. On the wall clock a vote sent "at once" on a loaded CI machine twice landed after its window.
/// </summary>
public sealed class ReAskTests : TestKit, IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(1500);

    private readonly Validators _validators = new(4);
    private readonly TestProbe[] _probes;
    private readonly TestProbe _registry;

    public ReAskTests()
        : base("akka.actor.provider = cluster\nakka.remote.dot-netty.tcp.port = 0\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1\nakka.loglevel = WARNING\n"
            + "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
    {
        _probes = Enumerable.Range(0, 4).Select(i => CreateTestProbe($"validator-{i}")).ToArray();
        _registry = CreateTestProbe("registry");
    }

    /// <param name="ownValidatorIsProbe0">
    /// Probe 0 stands in for the coordinator's own validator actor, the only local sender whose refusals count (a
    /// remote one speaks only for the validator of its own node).
    /// </param>
    private IActorRef StartCoordinator(bool reAsk = true, int? withoutEndpoint = null, bool ownValidatorIsProbe0 = false)
    {
        var snapshot = new ConsensusSnapshot();
        var endpoints = _validators.Identities
            .Select((identity, i) => new ValidatorEndpoint(identity.ValidatorId, $"akka.tcp://test@127.0.0.1:{5000 + i}", _probes[i].Ref))
            .Where((_, i) => i != withoutEndpoint)
            .ToImmutableDictionary(e => e.ValidatorId, StringComparer.Ordinal);
        snapshot.Publish(ConsensusView.Empty with { Registry = _validators.Registry, Current = _validators.Set, Endpoints = endpoints });
        // Validator 0 is the coordinator's own, by id only: its votes are verified like everyone's (not Honest-trusted
        // since its sender is a probe, not the validator actor passed here).
        return Sys.ActorOf(ConsensusCoordinator.Props(new ConsensusOptions { DecisionTimeout = Window, ReAsk = reAsk }, snapshot,
            _registry.Ref, _validators[0].ValidatorId, ownValidatorIsProbe0 ? _probes[0].Ref : ActorRefs.Nobody));
    }

    /// <summary>
    /// Closes the window now open. The votes a test sent before are already in the coordinator's mailbox (a local send
    /// enqueues at once), so the timeout is handled after them.
    /// </summary>
    private void CloseWindow() => ((TestScheduler)Sys.Scheduler).Advance(Window);

    private Task<ProposalOutcome> Propose(IActorRef coordinator) =>
        coordinator.Ask<ProposalOutcome>(new Propose("{\"n\":1}", Validators.ContentId), TimeSpan.FromSeconds(30));

    /// <summary>
    /// The next proposal a validator gets. The wait is generous, not a measure of speed: a re-ask is due a window after
    /// the proposal, and a CI run whose other test classes were starting clusters delivered it after a 3 s wait had
    /// ended. A re-ask that never comes still fails the test, only later.
    /// </summary>
    private static Proposal Received(TestProbe probe)
    {
        var batch = probe.ExpectMsg<ProposalBatch>(TimeSpan.FromSeconds(10));
        return Assert.Single(batch.Proposals);
    }

    private void Approve(int index, TestProbe? from = null) =>
        (from ?? _probes[index]).Send(LastSenderOf(index), new VoteBatch([_validators.Approve(index)], []));

    private readonly Dictionary<int, IActorRef> _senders = [];

    private IActorRef LastSenderOf(int index) => _senders[index];

    private Proposal ReceivedBy(int index)
    {
        var proposal = Received(_probes[index]);
        _senders[index] = _probes[index].LastSender;
        return proposal;
    }

    [Fact]
    public async Task Validators_silent_in_the_first_window_are_asked_again_and_their_late_votes_reach_the_quorum()
    {
        // Prevents: a proposal abandoned as undecided while enough honest validators could still approve it.
        var coordinator = StartCoordinator();
        var outcome = Propose(coordinator);
        var first = Enumerable.Range(0, 4).Select(ReceivedBy).ToArray();
        Approve(0);
        Approve(1);
        // The re-ask's deadline is taken from the wall clock, which the test scheduler does not move: let it tick once,
        // so a deadline carried over from the first proposal shows as equal.
        SpinWait.SpinUntil(() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > first[2].Deadline - (long)Window.TotalMilliseconds);
        // Validators 2 and 3 say nothing in the first window; only they are asked again, with a later deadline.
        CloseWindow();
        var again2 = ReceivedBy(2);
        var again3 = ReceivedBy(3);
        Assert.True(again2.Deadline > first[2].Deadline, $"{again2.Deadline} not after {first[2].Deadline}");
        Assert.Equal(first[2].Json, again3.Json);
        _probes[0].ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _probes[1].ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.False(outcome.IsCompleted, "decided before the late vote came");
        Approve(2);

        var decided = await outcome;
        Assert.Equal(ProposalDecision.Accepted, decided.Decision);
        Assert.Equal(3, decided.Approvals);
        Assert.True(CertificateVerifier.Verify(decided.Certificate, Validators.ContentId, _validators.Registry).IsValid);
    }

    [Fact]
    public async Task Without_re_ask_the_same_silence_ends_undecided()
    {
        // The failure the re-ask prevents, shown on the same script.
        var coordinator = StartCoordinator(reAsk: false);
        var outcome = Propose(coordinator);
        for (var i = 0; i < 4; i++) ReceivedBy(i);
        Approve(0);
        Approve(1);
        CloseWindow();
        Assert.Equal(ProposalDecision.Undecided, (await outcome).Decision);
        _probes[2].ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Validators_that_stay_silent_after_the_re_ask_end_it_undecided_after_two_windows_and_are_asked_only_once()
    {
        var coordinator = StartCoordinator();
        var outcome = Propose(coordinator);
        for (var i = 0; i < 4; i++) ReceivedBy(i);
        Approve(0);
        CloseWindow();
        ReceivedBy(1);
        ReceivedBy(2);
        ReceivedBy(3);
        _probes[0].ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.False(outcome.IsCompleted, "ended before the second window closed");
        CloseWindow();
        var decided = await outcome;
        Assert.Equal(ProposalDecision.Undecided, decided.Decision);
        Assert.Null(decided.Certificate);
        foreach (var probe in _probes) probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    /// <summary>
    /// A proposal that validators 1 and 2 approved and validator 3 rejected: validator 0, the coordinator's own (probe
    /// 0), has not answered, and its approval would be the third one needed.
    /// </summary>
    private Task<ProposalOutcome> TwoApprovalsAndARejection()
    {
        var outcome = Propose(StartCoordinator(ownValidatorIsProbe0: true));
        for (var i = 0; i < 4; i++) ReceivedBy(i);
        Approve(1);
        Approve(2);
        _probes[3].Send(LastSenderOf(3), new VoteBatch([_validators.Reject(3, "profanity")], []));
        return outcome;
    }

    private void Refuse(int index, string reason) =>
        _probes[index].Send(LastSenderOf(index), new VoteBatch([], [new ProposalRefused(Validators.ContentId, _validators[index].ValidatorId, reason)]));

    [Fact]
    public async Task A_refusal_answering_the_first_ask_does_not_end_the_second_window()
    {
        // Prevents: a validator too busy to reach the proposal within its first window refuses it as expired; that
        // refusal arrived after the re-ask and ended the proposal undecided although the validator went on to approve
        // it (one valid item of a 4-node chaos run on a loaded CI machine ended so).
        var outcome = TwoApprovalsAndARejection();
        // Validator 0 is silent in the first window; its approval is the third one needed, so it is asked again.
        CloseWindow();
        ReceivedBy(0);
        Refuse(0, ValidatorActor.Expired); // its answer to the first ask, sent before it saw the second
        Approve(0);

        var decided = await outcome;
        Assert.Equal(ProposalDecision.Accepted, decided.Decision);
        Assert.Equal(3, decided.Approvals);
    }

    [Fact]
    public async Task A_validator_that_refused_before_the_re_ask_and_refuses_again_ends_the_proposal_at_once()
    {
        // The refusal after the re-ask is dropped only when it may answer the first ask: a validator whose first answer
        // was already in ends the proposal with its second refusal, without waiting for the window to close.
        var outcome = TwoApprovalsAndARejection();
        Refuse(0, ValidatorActor.RateLimited); // nobody left to vote: asked again at once, no window closes
        ReceivedBy(0);
        Assert.False(outcome.IsCompleted, "ended on the first refusal although the quorum was still reachable");
        Refuse(0, ValidatorActor.RateLimited);

        var decided = await outcome.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ProposalDecision.Undecided, decided.Decision);
        Assert.Contains(ValidatorActor.RateLimited, decided.Refusals);
    }

    [Fact]
    public async Task No_second_window_when_the_quorum_is_out_of_reach()
    {
        // Validator 3 has no endpoint and validator 1 rejects: one approval plus validator 2 cannot make the 3 needed.
        var coordinator = StartCoordinator(withoutEndpoint: 3);
        var outcome = Propose(coordinator);
        for (var i = 0; i < 3; i++) ReceivedBy(i);
        Approve(0);
        _probes[1].Send(LastSenderOf(1), new VoteBatch([_validators.Reject(1, "profanity")], []));
        CloseWindow();
        // Decided when the first window closes: no second one to wait for (the test advances only once).
        var decided = await outcome.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ProposalDecision.Undecided, decided.Decision);
        _probes[2].ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_forged_vote_and_an_equivocating_pair_are_not_counted_and_do_not_hold_up_the_honest_quorum()
    {
        var coordinator = StartCoordinator();
        var outcome = Propose(coordinator);
        for (var i = 0; i < 4; i++) ReceivedBy(i);
        // Validator 3 contradicts itself; a vote claiming to be validator 2's is signed by validator 3's key.
        _probes[3].Send(LastSenderOf(3), new VoteBatch([_validators.Approve(3), _validators.Reject(3, "profanity")], []));
        var forged = _validators[3].Vote(Validators.ContentId, _validators.Set, true, []) with { ValidatorId = _validators[2].ValidatorId };
        _probes[2].Send(LastSenderOf(2), new VoteBatch([forged], []));
        Approve(0);
        Approve(1);
        Approve(2);
        var decided = await outcome;
        Assert.Equal(ProposalDecision.Accepted, decided.Decision);
        Assert.DoesNotContain(decided.Certificate!.Approvals, v => v.ValidatorId == _validators[3].ValidatorId);
        Assert.Contains(_validators[3].ValidatorId, decided.Equivocators);
        _registry.ExpectMsg<ReportEquivocation>(e => e.Evidence.ValidatorId == _validators[3].ValidatorId);
    }

    public new void Dispose()
    {
        _validators.Dispose();
        base.Dispose();
    }
}
