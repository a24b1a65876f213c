using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace P2PActors.Benchmarks;

/// <summary>
/// In process, 3 warm-ups and 10 iterations: on this shared 2-core machine BenchmarkDotNet's separate build of the
/// boilerplate project regularly overran its 120 s timeout, which produced no numbers at all.
/// </summary>
public sealed class InProcessShortRun : ManualConfig
{
    public InProcessShortRun() =>
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance));
}
