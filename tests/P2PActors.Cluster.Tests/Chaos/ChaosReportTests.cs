using P2PActors.Cluster.Chaos;

namespace P2PActors.Cluster.Tests.Chaos;

public sealed class ChaosReportTests
{
    private static ChaosReport Report(int shared, ChaosMemory memory) =>
        new(Nodes: 4, Byzantine: 0, NodeModes: ["honest", "honest", "honest", "honest"], NodeValidators: ["a", "b", "c", "d"],
            Validators: 4, Threshold: 3, MaxFaulty: 1, Seed: 7, Items: 2 * shared, ValidItems: shared, InvalidItems: shared,
            ValidAccepted: shared, ValidRejected: 0, ValidUndecided: 0, InvalidRejected: shared, InvalidAccepted: 0,
            InvalidUndecided: 0, Failed: 0, FailureSamples: [], EquivocatingProposals: 0, FlaggedValidators: [],
            BadCertificates: 0, LatencyP50: TimeSpan.FromMilliseconds(10), LatencyP99: TimeSpan.FromMilliseconds(50),
            WorkloadDuration: TimeSpan.FromSeconds(2), ItemsPerSecond: shared, ByFlaw: [], Catalogs: [], InvalidAcceptedSamples: [])
        {
            Shared = shared,
            Memory = memory,
        };

    [Fact]
    public void The_live_heap_row_gives_the_growth_over_the_workload_and_its_share_per_shared_entry()
    {
        // 6 MiB left behind by 2,048 shared entries: 3 KiB each.
        var table = Report(2048, new ChaosMemory(1 << 30, 10, 2, 1, TimeSpan.FromMilliseconds(100)) { LiveHeapGrowthBytes = 6L << 20 }).ToTable();

        Assert.Contains("+6.0 MiB over the workload, all nodes (3.0 KiB per shared entry)", table);
    }

    [Fact]
    public void A_warm_up_is_named_with_the_workload_and_only_when_there_was_one()
    {
        var report = Report(10, new ChaosMemory(0, 0, 0, 0, TimeSpan.Zero));

        Assert.DoesNotContain("warm-up", report.ToTable());
        Assert.Contains("Workload: seed 7, 20 items (10 valid, 10 invalid), after a warm-up of 300 items not counted here (the catalogs below hold its 150 shares too)",
            (report with { Warmup = 300, WarmupShared = 150 }).ToTable());
    }

    [Fact]
    public void Without_a_measurement_there_is_no_live_heap_row_and_a_shrinking_heap_reads_negative()
    {
        Assert.DoesNotContain("live heap", Report(10, new ChaosMemory(0, 0, 0, 0, TimeSpan.Zero)).ToTable());
        Assert.Contains("-1.5 MiB over the workload",
            Report(0, new ChaosMemory(0, 0, 0, 0, TimeSpan.Zero) { LiveHeapGrowthBytes = -(3L << 19) }).ToTable());
    }

    [Fact]
    public void A_shared_entry_missing_from_an_honest_catalog_fails_the_run_and_is_named()
    {
        // Prevents: a run passing while a Byzantine peer kept honest content out of a node's catalog (the check waited
        // for the shared entries, and then only looked at what had arrived).
        var complete = new CatalogCheck("node 1", 10, 0, 0, 0, 0, []);
        var hidden = new CatalogCheck("node 2", 8, 0, 0, 0, 0, ["node 2 does not list 0123456789ab, which was shared"]) { Missing = 2 };
        var report = Report(10, new ChaosMemory(0, 0, 0, 0, TimeSpan.Zero)) with { Catalogs = [complete, hidden] };

        Assert.True((report with { Catalogs = [complete] }).Passed);
        Assert.False(report.Passed);
        Assert.Equal(2, report.CatalogMissing);
        var table = report.ToTable();
        Assert.Contains("refusals  missing", table);
        Assert.Matches(@"node 2\s+8\s+0\s+0\s+0\s+0\s+2", table);
        Assert.Contains("catalog: node 2 does not list 0123456789ab, which was shared", table);
        Assert.Contains("RESULT: FAIL — 2 shared entr(ies) missing from honest catalogs", table);
    }
}
