using System.Collections.Concurrent;
using Akka.Event;
using P2PActors.Cluster.State;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Admits a catalog entry only when its certificate verifies against this node's own validator registry. Valid
/// certificates are remembered (listing 10,000 entries must not re-check 30,000 signatures); refusals are not, since
/// the registry may learn an older epoch's set later and the same certificate then verifies. Refusals are logged,
/// at most a few per second. Batch signatures are checked through <see cref="Signatures"/>, so the certificates of
/// many items voted in the same batches cost one Ed25519 check per batch, not per vote.
/// </summary>
public sealed class CertificateAdmission(ConsensusSnapshot snapshot, VerifiedSignatureCache? signatures = null) : ICatalogAdmission
{
    private const int MaxRemembered = 200_000;
    private static readonly long LogIntervalTicks = TimeSpan.FromSeconds(1).Ticks;

    private readonly ConcurrentDictionary<Certificate, byte> _valid = new();
    private long _lastLogTicks;
    private long _suppressed;
    private long _refused;

    public ConsensusSnapshot Snapshot { get; } = snapshot ?? throw new ArgumentNullException(nameof(snapshot));

    /// <summary>Verified batch signatures: by default the node's own, <see cref="ConsensusSnapshot.Signatures"/>.</summary>
    public VerifiedSignatureCache Signatures { get; } = signatures ?? snapshot.Signatures;

    /// <summary>Where refusals are logged; set when the actor system is up.</summary>
    public ILoggingAdapter? Log { get; set; }

    /// <summary>How many times an entry was refused since start (each look at a refused entry counts).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public bool Admit(CatalogHeader header)
    {
        if (header?.Certificate is not { } certificate)
            return Refuse(header, new CertificateCheck(false, [CertificateVerifier.Missing]));
        if (!string.Equals(certificate.ContentId, header.Id, StringComparison.Ordinal))
            return Refuse(header, new CertificateCheck(false, [CertificateVerifier.ContentMismatch]));
        if (_valid.ContainsKey(certificate))
            return true;
        var check = CertificateVerifier.Verify(certificate, header.Id, Snapshot.Registry, Signatures);
        if (!check.IsValid)
            return Refuse(header, check);
        if (_valid.Count >= MaxRemembered)
            _valid.Clear();
        _valid.TryAdd(certificate, 0);
        return true;
    }

    private bool Refuse(CatalogHeader? header, CertificateCheck check)
    {
        Interlocked.Increment(ref _refused);
        var now = DateTime.UtcNow.Ticks;
        var last = Interlocked.Read(ref _lastLogTicks);
        if (now - last < LogIntervalTicks || Interlocked.CompareExchange(ref _lastLogTicks, now, last) != last)
        {
            Interlocked.Increment(ref _suppressed);
            return false;
        }
        var suppressed = Interlocked.Exchange(ref _suppressed, 0);
        Log?.Warning("Catalog entry {0} refused: {1}{2}", header?.Id ?? "(null)", check,
            suppressed > 0 ? $" ({suppressed} more refusals in the last second not logged)" : "");
        return false;
    }
}
