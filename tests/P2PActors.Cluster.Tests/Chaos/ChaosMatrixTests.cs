using P2PActors.Cluster.Chaos;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Tests.State;
using Xunit.Abstractions;

namespace P2PActors.Cluster.Tests.Chaos;

/// <summary>
/// The Byzantine matrix on real clusters: every node a full node (production hosting, remoting on 127.0.0.1) in
/// this process, the workload of <see cref="ChaosWorkload"/> driven through consensus by <see cref="ChaosHarness"/>.
/// </summary>
[Collection(MultiNode.Collection)]
public sealed class ChaosMatrixTests(ITestOutputHelper output)
{
    private static ChaosOptions Options(int nodes, params ByzantineMode[] modes) => new()
    {
        Nodes = nodes,
        Byzantine = modes.Length,
        Modes = modes.Length == 0 ? [ByzantineMode.ApproveAll] : modes,
        Items = 24,
        Seed = 20261124,
        InvalidShare = 0.5,
        Concurrency = 8,
        Timeout = TimeSpan.FromMinutes(2),
    };

    private async Task<ChaosReport> RunAsync(ChaosOptions options)
    {
        var report = await ChaosHarness.RunAsync(options);
        output.WriteLine(report.ToTable());
        return report;
    }

    [Theory]
    [InlineData(ByzantineMode.ApproveAll)]
    [InlineData(ByzantineMode.RejectAll)]
    [InlineData(ByzantineMode.Equivocate)]
    [InlineData(ByzantineMode.ForgeSignatures)]
    [InlineData(ByzantineMode.Replay)]
    [InlineData(ByzantineMode.Silent)]
    [InlineData(ByzantineMode.Slow)]
    [InlineData(ByzantineMode.Overpowered)]
    [InlineData(ByzantineMode.TamperHeaders)]
    public async Task Four_nodes_with_one_Byzantine_node_accept_every_valid_item_and_no_invalid_one(ByzantineMode mode)
    {
        var report = await RunAsync(Options(4, mode));

        Assert.Equal((4, 3, 1), (report.Validators, report.Threshold, report.MaxFaulty));
        Assert.False(report.ExceedsTolerance);
        Assert.Equal(0, report.InvalidAccepted);
        Assert.Equal(report.InvalidItems, report.InvalidRejected);
        Assert.Equal(report.ValidItems, report.ValidAccepted);
        Assert.Equal(0, report.Failed);
        Assert.Equal(0, report.BadCertificates);
        Assert.True(report.Passed, report.ToTable());
        // Every honest node holds every accepted item, each with a certificate that verifies and valid content.
        Assert.Equal(3, report.Catalogs.Count);
        Assert.All(report.Catalogs, c => Assert.Equal((report.ValidAccepted, 0, 0, 0), (c.Entries, c.Unverifiable, c.InvalidContent, c.Unreadable)));
        Assert.True(report.ValidItems > 0 && report.InvalidItems > 0);

        var byzantineId = report.NodeValidators[3];
        if (mode == ByzantineMode.Equivocate)
            Assert.Equal([byzantineId], report.FlaggedValidators);
        else
            Assert.Empty(report.FlaggedValidators);
        if (mode == ByzantineMode.Overpowered)
        {
            // Node 4 proposed the overpowered twin of each of its items: all of them invalid, all rejected.
            var overpowered = report.ByFlaw.Single(f => f.Flaw == ChaosFlaw.Overpowered);
            Assert.True(overpowered.Items >= report.Items / 4);
            Assert.Equal(overpowered.Items, overpowered.Rejected);
        }
    }

    [Theory]
    [InlineData(ByzantineMode.Equivocate, ByzantineMode.ForgeSignatures)]
    [InlineData(ByzantineMode.ApproveAll, ByzantineMode.Overpowered)]
    [InlineData(ByzantineMode.Replay, ByzantineMode.Silent)]
    public async Task Seven_nodes_with_two_Byzantine_nodes_of_mixed_modes_accept_valid_and_never_invalid(ByzantineMode first, ByzantineMode second)
    {
        var report = await RunAsync(Options(7, first, second) with { Items = 28 });

        Assert.Equal((7, 5, 2), (report.Validators, report.Threshold, report.MaxFaulty));
        Assert.Equal(["honest", "honest", "honest", "honest", "honest", ByzantineModes.WireName(first), ByzantineModes.WireName(second)], report.NodeModes);
        Assert.False(report.ExceedsTolerance);
        Assert.Equal(0, report.InvalidAccepted);
        Assert.Equal(report.InvalidItems, report.InvalidRejected);
        Assert.Equal(report.ValidItems, report.ValidAccepted);
        Assert.True(report.Passed, report.ToTable());
        Assert.Equal(5, report.Catalogs.Count);
        Assert.All(report.Catalogs, c => Assert.Equal((report.ValidAccepted, 0, 0), (c.Entries, c.Unverifiable, c.InvalidContent)));
    }

    [Fact]
    public async Task Closed_membership_gives_Sybils_beyond_f_no_vote_and_admits_nothing_invalid()
    {
        // 4 listed nodes (one of them approving everything: f = 1 used up) and 3 approving Sybils an attacker added.
        var report = await RunAsync(Options(4, ByzantineMode.ApproveAll) with { Sybils = 3, Closed = true });

        Assert.Equal((4, 3, 1), (report.Validators, report.Threshold, report.MaxFaulty));
        Assert.Equal(0, report.SybilsInSet);
        Assert.Equal(1, report.ByzantineInSet);
        Assert.False(report.ExceedsTolerance);
        Assert.Equal(0, report.InvalidAccepted);
        Assert.Equal(report.InvalidItems, report.InvalidRejected);
        Assert.Equal(report.ValidItems, report.ValidAccepted);
        Assert.True(report.Passed, report.ToTable());
        Assert.Contains("3, of which 0 had a vote (not on the validator list)", report.ToTable(), StringComparison.Ordinal);
        // The Sybils are members, listed in the report, never validators.
        Assert.Equal(7, report.NodeModes.Count);
        Assert.Equal(3, report.Catalogs.Count);
    }

    [Fact]
    public async Task Open_membership_lets_Sybils_outvote_the_honest_node_and_the_report_shows_invalid_content_admitted()
    {
        // One honest node and 4 approving Sybils: open membership makes them 4 of 5 validators, and 4 is the threshold.
        var report = await RunAsync(Options(1) with { Sybils = 4, Closed = false });

        Assert.Equal((5, 4, 1), (report.Validators, report.Threshold, report.MaxFaulty));
        Assert.Equal(4, report.SybilsInSet);
        Assert.True(report.ExceedsTolerance);
        Assert.True(report.InvalidItems > 0);
        Assert.Equal(report.InvalidItems, report.InvalidAccepted);
        Assert.False(report.Passed);
        Assert.True(report.CatalogInvalidContent > 0, report.ToTable());
        Assert.Contains("4, of which 4 had a vote", report.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Four_nodes_with_a_mute_node_start_the_workload_only_once_it_is_left_out_and_decide_everything()
    {
        var report = await RunAsync(Options(4, ByzantineMode.Mute));

        // Three honest validators of three: every valid item needs all of them, so a run started while the nodes
        // still waited for the mute node's proof would end undecided.
        Assert.Equal((3, 3, 0), (report.Validators, report.Threshold, report.MaxFaulty));
        Assert.Equal(0, report.ByzantineInSet);
        Assert.StartsWith("node 4 (mute): no answer to identity challenges", Assert.Single(report.LeftOut));
        Assert.Equal(report.ValidItems, report.ValidAccepted);
        Assert.Equal(report.InvalidItems, report.InvalidRejected);
        Assert.Equal(0, report.Undecided);
        Assert.True(report.Passed, report.ToTable());
    }

    [Fact]
    public async Task Seven_nodes_with_a_mute_and_a_half_answering_member_leave_out_only_the_mute_one_and_accept_nothing_invalid()
    {
        var report = await RunAsync(Options(7, ByzantineMode.Mute, ByzantineMode.PartialMute) with { Items = 28 });

        // The mute node proves no key and is left out; the half-answering one is in, known through shared proofs.
        Assert.Equal((6, 5, 1), (report.Validators, report.Threshold, report.MaxFaulty));
        Assert.Equal(1, report.ByzantineInSet);
        Assert.False(report.ExceedsTolerance);
        var leftOut = Assert.Single(report.LeftOut);
        Assert.StartsWith("node 6 (mute): no answer to identity challenges", leftOut);
        Assert.Contains("left out of the set", report.ToTable());
        Assert.Equal(0, report.InvalidAccepted);
        Assert.Equal(report.InvalidItems, report.InvalidRejected);
        Assert.Equal(report.ValidItems, report.ValidAccepted);
        Assert.True(report.Passed, report.ToTable());
        Assert.Equal(5, report.Catalogs.Count);
        Assert.All(report.Catalogs, c => Assert.Equal((report.ValidAccepted, 0, 0), (c.Entries, c.Unverifiable, c.InvalidContent)));
    }

    [Fact]
    public async Task Beyond_f_two_rejecting_nodes_of_four_block_valid_content_but_accept_nothing_invalid()
    {
        var report = await RunAsync(Options(4, ByzantineMode.RejectAll, ByzantineMode.RejectAll));

        Assert.True(report.ExceedsTolerance);
        Assert.Contains("EXCEEDS f", report.ToTable());
        // Liveness is what breaks: 2 honest approvals never reach the threshold of 3.
        Assert.Equal(0, report.ValidAccepted);
        Assert.Equal(report.ValidItems, report.ValidRejected);
        // Safety holds, and no honest catalog holds anything.
        Assert.Equal(0, report.InvalidAccepted);
        Assert.All(report.Catalogs, c => Assert.Equal(0, c.Entries));
        Assert.True(report.Passed, report.ToTable());
    }

    [Fact]
    public async Task A_warm_up_is_proposed_and_shared_before_the_workload_and_counted_only_in_the_catalogs()
    {
        var options = Options(4, ByzantineMode.Equivocate) with { Items = 12, Warmup = 12 };

        var report = await RunAsync(options);

        // The figures are the workload's alone; the warm-up's shares are in every honest catalog, checked like the rest.
        Assert.Equal((12, 12, 6), (report.Warmup, report.Items, report.ValidItems));
        Assert.Equal((6, 6, 6), (report.ValidAccepted, report.InvalidRejected, report.Shared));
        Assert.Equal(6, report.WarmupShared);
        Assert.True(report.Passed, report.ToTable());
        Assert.All(report.Catalogs, c => Assert.Equal((12, 0, 0), (c.Entries, c.Unverifiable, c.InvalidContent)));
        Assert.Equal([report.NodeValidators[3]], report.FlaggedValidators);
    }

    [Fact]
    public async Task Beyond_f_two_forging_nodes_of_four_leave_valid_content_undecided_and_their_forged_entries_are_refused()
    {
        var report = await RunAsync(Options(4, ByzantineMode.ForgeSignatures, ByzantineMode.ForgeSignatures));

        Assert.True(report.ExceedsTolerance);
        // Forged votes never count: valid content waits for approvals that cannot come and ends undecided, never accepted.
        Assert.Equal(0, report.ValidAccepted);
        Assert.Equal(report.ValidItems, report.ValidUndecided);
        Assert.Equal(0, report.InvalidAccepted);
        // The report shows what held them up: the two honest approvals, one short of the threshold.
        Assert.Equal(Math.Min(5, report.ValidUndecided), report.UndecidedSamples.Count);
        Assert.All(report.UndecidedSamples, s => Assert.Contains("2 of 3 approvals, 0 rejections, undecided after", s));
        // Forged votes are votes, not refusals: nothing here was refused, so no sample says so.
        Assert.All(report.UndecidedSamples, s => Assert.DoesNotContain("refused", s));
        Assert.Contains("  valid undecided: #", report.ToTable());
        // Whatever the forgers wrote into the replicated catalog, the honest nodes admit none of it.
        Assert.All(report.Catalogs, c => Assert.Equal((0, 0), (c.Entries, c.Unverifiable)));
    }

    [Fact]
    public async Task Beyond_two_thirds_Byzantine_invalid_content_is_accepted_yet_honest_nodes_admit_only_verified_certificates()
    {
        var report = await RunAsync(Options(4, ByzantineMode.ApproveAll, ByzantineMode.ApproveAll, ByzantineMode.ApproveAll));

        Assert.True(report.ExceedsTolerance);
        // Three approve-all validators are a quorum of four on their own: safety is gone, and the report says so.
        Assert.True(report.InvalidAccepted > 0, report.ToTable());
        Assert.False(report.Passed);
        Assert.Contains("INVALID ACCEPTED", report.ToTable());
        Assert.Contains("RESULT: FAIL", report.ToTable());
        Assert.NotEmpty(report.InvalidAcceptedSamples);
        // Still, the one honest node admits nothing without a certificate that verifies against its own registry;
        // what it admits beyond the rules is reported as invalid content, not hidden.
        var honest = Assert.Single(report.Catalogs);
        Assert.Equal(0, honest.Unverifiable);
        Assert.Equal(0, report.BadCertificates);
        Assert.True(honest.InvalidContent > 0, report.ToTable());
    }

    [Fact]
    public async Task With_remote_TLS_the_nodes_speak_akka_ssl_tcp_and_a_node_approving_everything_still_gets_nothing_invalid_in()
    {
        var report = await RunAsync(Options(4, ByzantineMode.ApproveAll) with { RemoteTls = true });

        // The protocol is read from the nodes' own addresses once they formed a cluster: TLS was really spoken.
        Assert.Equal("akka.ssl.tcp", report.Transport);
        Assert.Contains("TLS (akka.ssl.tcp", report.ToTable());
        Assert.Equal(0, report.InvalidAccepted);
        Assert.Equal(report.ValidItems, report.ValidAccepted);
        Assert.All(report.Catalogs, c => Assert.Equal((report.ValidAccepted, 0, 0), (c.Entries, c.Unverifiable, c.Missing)));
        Assert.True(report.Passed, report.ToTable());
    }

    [Fact]
    public async Task Without_remote_TLS_the_report_says_plain_TCP()
    {
        var report = await RunAsync(Options(4) with { Items = 8 });

        Assert.Equal("akka.tcp", report.Transport);
        Assert.Contains("plain TCP (akka.tcp)", report.ToTable());
        Assert.True(report.Passed, report.ToTable());
    }
}
