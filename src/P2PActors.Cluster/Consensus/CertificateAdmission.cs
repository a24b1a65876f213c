using System.Buffers.Binary;
using System.Collections.Concurrent;
using Akka.Event;
using P2PActors.Cluster.State;
using P2PActors.Content.Model;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Admits a catalog entry only when its certificate verifies against this node's own validator registry and binds the
/// entry's header: every approval signed the digest of exactly this header (type, name, author, created time, holder),
/// so an entry rewritten under a genuine certificate is refused. A legacy certificate (<see cref="Certificate.IsLegacy"/>,
/// made before headers were bound) vouches for the body only: its entry is admitted when the certificate verifies and
/// the created time is at most <see cref="HeaderClockWindow"/> ahead of this node's clock (so no rewrite pins it to the
/// top of the catalog from the future); its type, name and author are taken as written.
/// Admitted entries are remembered (listing 10,000 entries must not re-check 30,000 signatures), by their fields and their
/// proof's SHA-256, not by the proof; refusals are not, since
/// the registry may learn an older epoch's set later and the same certificate then verifies. Refusals are logged,
/// at most a few per second. Batch signatures are checked through <see cref="Signatures"/>, so the certificates of
/// many items voted in the same batches cost one Ed25519 check per batch, not per vote.
/// </summary>
public sealed class CertificateAdmission(ConsensusSnapshot snapshot, VerifiedSignatureCache? signatures = null) : ICatalogAdmission
{
    private static readonly long LogIntervalTicks = TimeSpan.FromSeconds(1).Ticks;

    public const string LegacyCreatedInFuture = "catalog.legacy-created-in-future";

    /// <summary>
    /// A header as admission remembers it: its fields and its proof's SHA-256, not the proof. The catalog keeps each
    /// header anyway (its bucket, the live overlay); keyed by the header itself, this memory held a second copy of
    /// every admitted proof for as long as the node ran (2.3 KB per entry and node, measured with `chaos`).
    /// </summary>
    private readonly record struct HeaderKey(string Id, ContentType Type, string Name, string Author, long CreatedMs, string Holder,
        UInt128 ProofHigh, UInt128 ProofLow)
    {
        public static HeaderKey Of(CatalogHeader header)
        {
            ReadOnlySpan<byte> digest = header.Certificate is { } proof ? proof.Sha256 : stackalloc byte[32];
            return new(header.Id, header.Type, header.Name, header.Author, header.CreatedMs, header.Holder,
                BinaryPrimitives.ReadUInt128LittleEndian(digest[..16]), BinaryPrimitives.ReadUInt128LittleEndian(digest[16..]));
        }
    }

    private readonly ConcurrentDictionary<HeaderKey, byte> _valid = new();
    /// <summary>
    /// Headers refused, and the registry they were checked against. A refusal holds only as long as that registry
    /// does (a set learnt later can make a certificate checkable), so a new registry starts a new memory; swapped
    /// whole, so a refusal found under an older registry can only land in the memory it belongs to. Without it, a
    /// forged entry in the replicated catalog was checked again, signatures and all, each time a push or a bucket read
    /// looked at its id (1 to 3 times per honest node in a 7-node `forge-signatures` run).
    /// </summary>
    private sealed class Refusals(ValidatorRegistry registry)
    {
        public ValidatorRegistry Registry { get; } = registry;
        /// <summary>Each refused header, and whether it is refuted (refused for good, <see cref="Refutes"/>).</summary>
        public ConcurrentDictionary<HeaderKey, bool> Headers { get; } = new();
        public long Count;
    }

    private Refusals? _refusals;
    // Counted here: ConcurrentDictionary.Count takes every lock of the dictionary, and it was read on every admission.
    private long _remembered;
    private long _lastLogTicks;
    private long _suppressed;
    private long _refused;

    public ConsensusSnapshot Snapshot { get; } = snapshot ?? throw new ArgumentNullException(nameof(snapshot));

    /// <summary>Verified batch signatures: by default the node's own, <see cref="ConsensusSnapshot.Signatures"/>.</summary>
    public VerifiedSignatureCache Signatures { get; } = signatures ?? snapshot.Signatures;

    /// <summary>How far ahead of this node's clock a legacy entry's created time may lie (<see cref="ConsensusOptions.HeaderClockWindow"/>).</summary>
    public TimeSpan HeaderClockWindow { get; init; } = new ConsensusOptions().HeaderClockWindow;

    /// <summary>The clock legacy entries' created times are compared with.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Where refusals are logged; set when the actor system is up.</summary>
    public ILoggingAdapter? Log { get; set; }

    /// <summary>How many admitted headers are remembered at most; past it the memory starts over.</summary>
    internal int MaxRemembered { get; init; } = 200_000;

    /// <summary>How many admitted headers are remembered now (about: concurrent admissions may race a restart).</summary>
    internal long Remembered => Interlocked.Read(ref _remembered);

    /// <summary>How many times an entry was refused since start (each look at a refused entry counts).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    public bool Admit(CatalogHeader header) => Judge(header) == Verdict.Admitted;

    /// <summary>
    /// Refused for good: the certificate failed against a validator set this node knows (an epoch's set never changes:
    /// the registry refuses a second one), or it is missing or made for another id. A certificate of an epoch this
    /// node does not know yet, or a legacy entry created ahead of its clock, is refused but not refuted: the registry
    /// may learn the set, and the clock moves on.
    /// </summary>
    public bool Refutes(CatalogHeader header) => Judge(header) == Verdict.Refuted;

    private enum Verdict { Admitted, Refused, Refuted }

    private Verdict Judge(CatalogHeader header)
    {
        // Remembered first: an equal header (same proof bytes) passed every check below, and the lookup spares the parse.
        var remembered = header is null ? default : HeaderKey.Of(header);
        if (header is not null && _valid.ContainsKey(remembered))
            return Verdict.Admitted;
        var registry = Snapshot.Registry;
        var refusals = Volatile.Read(ref _refusals);
        if (refusals is null || !ReferenceEquals(refusals.Registry, registry))
        {
            refusals = new Refusals(registry);
            Volatile.Write(ref _refusals, refusals);
        }
        else if (header is not null && refusals.Headers.TryGetValue(remembered, out var wasRefuted))
        {
            Interlocked.Increment(ref _refused);
            return wasRefuted ? Verdict.Refuted : Verdict.Refused;
        }
        if (header?.Certificate.ToCertificate() is not { } certificate)
            return Refuse(header, new CertificateCheck(false, [CertificateVerifier.Missing]), refuted: header is not null);
        if (!string.Equals(certificate.ContentId, header.Id, StringComparison.Ordinal))
            return Refuse(header, new CertificateCheck(false, [CertificateVerifier.ContentMismatch]), refuted: true);
        if (certificate.IsLegacy && header.CreatedMs > Clock.GetUtcNow().ToUnixTimeMilliseconds() + (long)HeaderClockWindow.TotalMilliseconds)
            return Refuse(header, new CertificateCheck(false, [LegacyCreatedInFuture]), refuted: false);
        var digest = EntryHeader.Compute(header.Id, header.Type, header.Name, header.Author, header.CreatedMs, header.Holder);
        var check = CertificateVerifier.Verify(certificate, header.Id, registry, Signatures, digest);
        if (!check.IsValid)
        {
            var refuted = !check.Problems.Contains(CertificateVerifier.UnknownEpoch);
            if (Interlocked.Read(ref refusals.Count) >= MaxRemembered)
                Volatile.Write(ref _refusals, refusals = new Refusals(registry));
            if (refusals.Headers.TryAdd(remembered, refuted))
                Interlocked.Increment(ref refusals.Count);
            return Refuse(header, check, refuted);
        }
        if (Interlocked.Read(ref _remembered) >= MaxRemembered)
        {
            _valid.Clear();
            Interlocked.Exchange(ref _remembered, 0);
        }
        if (_valid.TryAdd(remembered, 0))
            Interlocked.Increment(ref _remembered);
        return Verdict.Admitted;
    }

    private Verdict Refuse(CatalogHeader? header, CertificateCheck check, bool refuted)
    {
        Interlocked.Increment(ref _refused);
        var verdict = refuted ? Verdict.Refuted : Verdict.Refused;
        var now = DateTime.UtcNow.Ticks;
        var last = Interlocked.Read(ref _lastLogTicks);
        if (now - last < LogIntervalTicks || Interlocked.CompareExchange(ref _lastLogTicks, now, last) != last)
        {
            Interlocked.Increment(ref _suppressed);
            return verdict;
        }
        var suppressed = Interlocked.Exchange(ref _suppressed, 0);
        Log?.Warning("Catalog entry {0} refused: {1}{2}", header?.Id ?? "(null)", check,
            suppressed > 0 ? $" ({suppressed} more refusals in the last second not logged)" : "");
        return verdict;
    }
}
