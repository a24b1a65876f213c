using System.Text.Json;
using BenchmarkDotNet.Attributes;
using P2PActors.Cluster.Consensus;
using P2PActors.Cluster.Serialization;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Benchmarks;

/// <summary>
/// What a peer spends on one pushed catalog header (issue 13, "sharing throughput"): reading a <see cref="CatalogBatch"/>
/// off the wire and admitting each header (certificate parse, header digest, each vote's statement, leaf and branch
/// hashes, the signature cache) — with the batch signatures already verified, so no Ed25519 check: the per-header
/// work that every node repeats for every share. 4 validators, vote batches of 6, 3 approvals per certificate.
/// </summary>
[MemoryDiagnoser]
public class AdmissionBenchmarks
{
    private const int Headers = 6;
    private const string Holder = "akka.tcp://p2pactors@127.0.0.1:4053";

    private ValidatorIdentity[] _identities = [];
    private ConsensusSnapshot _snapshot = null!;
    private byte[] _wire = [];
    private CatalogHeader[] _headers = [];

    [GlobalSetup]
    public void Setup()
    {
        _identities = Enumerable.Range(0, 4).Select(_ => ValidatorIdentity.CreateEphemeral()).ToArray();
        var set = new ValidatorSet(Epochs.LegacyLimit + 1, _identities.Select(i => i.ValidatorId).ToArray());
        _snapshot = new ConsensusSnapshot();
        _snapshot.Publish(ConsensusView.Empty with { Registry = ValidatorRegistry.Empty.With(set) });
        var entries = Enumerable.Range(0, Headers)
            .Select(i => (Id: Convert.ToHexStringLower(BitConverter.GetBytes((long)i + 1).Concat(new byte[24]).ToArray()),
                Header: new EntryHeader(ContentType.Item, $"Blade {i}", "alice", 1_764_000_000_000 + i, Holder)))
            .ToArray();
        var statements = entries.Select(e => new VoteStatement(e.Id, set.Epoch, set.Hash, true, [], e.Header.Digest(e.Id))).ToArray();
        var batches = _identities.Take(3).Select(v => v.SignBatch(statements)).ToArray();
        _headers = entries.Select((e, i) => new CatalogHeader(e.Id, e.Header.Type, e.Header.Name, e.Header.Author, e.Header.CreatedMs, e.Header.Holder,
            new Certificate(e.Id, set.Epoch, set.Hash, batches.Select(b => b[i]).ToList()).ToProof())).ToArray();
        _wire = JsonSerializer.SerializeToUtf8Bytes(new CatalogBatch(_headers), P2PJsonSerializer.ValueOptions);
        // Warm: every batch signature verified once, as after the first header of each vote batch.
        if (!_headers.All(new CertificateAdmission(_snapshot).Admit) || ReceiveBatch() != Headers)
            throw new InvalidOperationException("benchmark headers are not admitted");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var identity in _identities)
            identity.Dispose();
    }

    [Benchmark(Description = "Receive a CatalogBatch and admit its headers, signatures cached (per header)", OperationsPerInvoke = Headers)]
    public int ReceiveBatch()
    {
        var batch = JsonSerializer.Deserialize<CatalogBatch>(_wire, P2PJsonSerializer.ValueOptions)!;
        var admission = new CertificateAdmission(_snapshot);
        var admitted = 0;
        foreach (var header in batch.Headers)
        {
            if (admission.Admit(header))
                admitted++;
        }
        return admitted;
    }

    [Benchmark(Description = "Deserialize a CatalogBatch only (per header)", OperationsPerInvoke = Headers)]
    public int DeserializeBatch() => JsonSerializer.Deserialize<CatalogBatch>(_wire, P2PJsonSerializer.ValueOptions)!.Headers.Count;

    [Benchmark(Description = "Admit already-parsed headers, signatures cached (per header)", OperationsPerInvoke = Headers)]
    public int AdmitParsed()
    {
        var admission = new CertificateAdmission(_snapshot);
        var admitted = 0;
        foreach (var header in _headers)
        {
            if (admission.Admit(header))
                admitted++;
        }
        return admitted;
    }
}
