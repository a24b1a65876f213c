using NSec.Cryptography;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// This node's Ed25519 signing key. Created on first use and persisted (PKCS#8 PEM, owner-only
/// permissions) in the data directory, so a restarted node keeps its validator id — the lower-case hex
/// of its public key, which is what other nodes register and check votes against.
/// </summary>
public sealed class ValidatorIdentity : IDisposable
{
    public const string FileName = "validator.key";

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    private readonly Key _key;

    private ValidatorIdentity(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        ValidatorId = Convert.ToHexStringLower(PublicKey);
    }

    /// <summary>Lower-case hex of the 32-byte public key.</summary>
    public string ValidatorId { get; }

    public byte[] PublicKey { get; }

    /// <summary>The public key as a verification key: what this node's own signatures are remembered under.</summary>
    internal NSec.Cryptography.PublicKey VerificationKey => _key.PublicKey;

    /// <summary>A key that lives only in memory (tests, throw-away nodes).</summary>
    public static ValidatorIdentity CreateEphemeral() =>
        new(Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None }));

    /// <summary>
    /// Loads the key in <paramref name="dataDirectory"/>/<see cref="FileName"/>, creating it (and the directory)
    /// when absent. A file that exists but is not a key is an error, never silently replaced: replacing it
    /// would change this node's identity.
    /// </summary>
    public static ValidatorIdentity LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
            return Load(path);

        using var key = Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var pem = key.Export(KeyBlobFormat.PkixPrivateKeyText);
        var temporary = Path.Combine(dataDirectory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(pem);
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created the key first; use theirs so both agree on one identity.
            File.Delete(temporary);
        }
        return Load(path);
    }

    /// <summary>Why the key file at <paramref name="path"/> cannot be loaded, for the operator; null when it loads or does not exist.</summary>
    public static string? KeyFileProblem(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            using var _ = Load(path);
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return e is InvalidDataException ? e.Message : $"Validator key file '{path}' cannot be read: {e.Message}";
        }
    }

    private static ValidatorIdentity Load(string path)
    {
        var blob = File.ReadAllBytes(path);
        if (!Key.TryImport(Algorithm, blob, KeyBlobFormat.PkixPrivateKeyText, out var key,
                new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None }) || key is null)
        {
            throw new InvalidDataException(
                $"Validator key file '{path}' is not an Ed25519 private key (PKCS#8 PEM). " +
                "Restore it, or delete it to start this node under a new validator identity.");
        }
        // Tightened only once it proved to be a key: the mode follows a link, and a validator.key linked to anything
        // else (once /dev/null, which then no other user could write to) had its target made owner-only.
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            if ((File.GetUnixFileMode(path) & ~ownerOnly) != 0)
                File.SetUnixFileMode(path, ownerOnly);
        }
        return new ValidatorIdentity(key);
    }

    public byte[] Sign(ReadOnlySpan<byte> data) => Algorithm.Sign(_key, data);

    /// <summary>
    /// Signs a vote on <paramref name="contentId"/> in <paramref name="epoch"/>, for the set whose hash is
    /// <paramref name="setHash"/> and the catalog header whose digest is <paramref name="headerDigest"/> (null signs
    /// the statement of earlier releases, which binds no header: tests of old certificates only).
    /// </summary>
    public Vote Vote(string contentId, long epoch, string setHash, bool approve, IReadOnlyList<string> rules, byte[]? headerDigest = null)
    {
        var unsigned = new Vote(ValidatorId, contentId, epoch, approve, [.. rules], [], HeaderDigest: headerDigest);
        return unsigned with { Signature = Sign(unsigned.SignedBytes(setHash)) };
    }

    /// <summary>Signs a vote on <paramref name="contentId"/> for <paramref name="set"/>.</summary>
    public Vote Vote(string contentId, ValidatorSet set, bool approve, IReadOnlyList<string> rules, byte[]? headerDigest = null) =>
        Vote(contentId, set.Epoch, set.Hash, approve, rules, headerDigest);

    /// <summary>
    /// Signs many votes with one Ed25519 signature (a Merkle batch, see <see cref="VoteMerkle"/>), returned in the
    /// order of <paramref name="statements"/>; each is still checkable on its own. A single statement gets a plain
    /// vote; more than <see cref="VoteMerkle.MaxLeaves"/> are signed as consecutive batches of at most that many.
    /// </summary>
    /// <param name="statements">What to sign.</param>
    /// <param name="signed">
    /// This node's <see cref="VerifiedSignatureCache"/>: each batch signature made here goes in at once, so this node's
    /// own admission of certificates holding its own votes (its coordinator never verifies them) costs no Ed25519 check.
    /// </param>
    public IReadOnlyList<Vote> SignBatch(IReadOnlyList<VoteStatement> statements, VerifiedSignatureCache? signed = null)
    {
        ArgumentNullException.ThrowIfNull(statements);
        if (statements.Count == 0)
            return [];
        if (statements.Count == 1)
        {
            var single = statements[0] ?? throw new ArgumentException("A statement is null.", nameof(statements));
            return [Vote(single.ContentId, single.Epoch, single.SetHash, single.Approve, single.Rules, single.HeaderDigest)];
        }
        if (statements.Count <= VoteMerkle.MaxLeaves)
            return VoteMerkle.Sign(this, statements, signed);
        var votes = new List<Vote>(statements.Count);
        for (var start = 0; start < statements.Count; start += VoteMerkle.MaxLeaves)
        {
            var chunk = statements.Skip(start).Take(VoteMerkle.MaxLeaves).ToArray();
            votes.AddRange(chunk.Length == 1 ? SignBatch(chunk) : VoteMerkle.Sign(this, chunk, signed));
        }
        return votes;
    }

    public void Dispose() => _key.Dispose();

    public override string ToString() => $"validator {ValidatorId[..12]}…";
}
