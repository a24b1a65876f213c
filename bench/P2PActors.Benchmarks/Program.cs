using BenchmarkDotNet.Running;
using P2PActors.Benchmarks;

// Multi-node harnesses report distributions BenchmarkDotNet does not; everything else goes through the switcher.
if (args is ["state-sync", .. var rest]) return await StateSyncHarness.RunAsync(rest);
if (args is ["consensus", .. var consensusArgs]) return await ConsensusHarness.RunAsync(consensusArgs);
if (args is ["vote-round", .. var voteArgs]) return await VoteRoundHarness.RunAsync(voteArgs);
if (args is ["idle", .. var idleArgs]) return await IdleHarness.RunAsync(idleArgs);
if (args is ["coordinator", .. var options]) return await CoordinatorHarness.RunAsync(options);
if (args is ["ws-roundtrip", .. var rttArgs]) return await WsBridgeHarness.RoundTripAsync(rttArgs);
if (args is ["ws-fanout", .. var fanOutArgs]) return await WsBridgeHarness.FanOutAsync(fanOutArgs);
if (args is ["rtc-roundtrip", .. var rtcArgs]) return await RtcRoundTripHarness.RunAsync(rtcArgs);
if (args is ["caches", .. var cacheArgs]) return CacheHarness.Run(cacheArgs);
if (args is ["state-poll", .. var pollArgs]) return await StatePollHarness.RunAsync(pollArgs);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
