using P2PActors.Cluster.Consensus;

namespace P2PActors.Cluster.Tests.Consensus;

public sealed class ValidatorIdentityTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "p2p-identity-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
            Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public void Key_is_created_once_and_reloaded_with_the_same_public_key()
    {
        string firstId;
        byte[] signature;
        using (var first = ValidatorIdentity.LoadOrCreate(_dataDir))
        {
            firstId = first.ValidatorId;
            signature = first.Vote(Validators.ContentId, Epochs.LegacyLimit, new string('a', 64), true, []).Signature;
        }
        using var second = ValidatorIdentity.LoadOrCreate(_dataDir);
        Assert.Equal(firstId, second.ValidatorId);
        Assert.True(ValidatorKeys.IsCanonicalId(second.ValidatorId));
        // Ed25519 is deterministic: the same key signs the same statement identically.
        Assert.Equal(signature, second.Vote(Validators.ContentId, Epochs.LegacyLimit, new string('a', 64), true, []).Signature);
        Assert.Single(Directory.GetFiles(_dataDir));
    }

    [Fact]
    public void Key_file_is_readable_by_the_owner_only()
    {
        if (OperatingSystem.IsWindows())
            return; // Unix permissions only
        using var _ = ValidatorIdentity.LoadOrCreate(_dataDir);
        var path = Path.Combine(_dataDir, ValidatorIdentity.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path));
    }

    [Fact]
    public void Loose_permissions_are_tightened_on_load()
    {
        if (OperatingSystem.IsWindows())
            return; // Unix permissions only
        ValidatorIdentity.LoadOrCreate(_dataDir).Dispose();
        var path = Path.Combine(_dataDir, ValidatorIdentity.FileName);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        ValidatorIdentity.LoadOrCreate(_dataDir).Dispose();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_key_file_linked_to_something_that_is_no_key_keeps_its_targets_permissions()
    {
        // Permissions were tightened before the key was read, through the link: a validator.key linked to /dev/null
        // made /dev/null owner-only on this machine, and PostgreSQL could no longer start.
        if (OperatingSystem.IsWindows())
            return; // Unix permissions only
        Directory.CreateDirectory(_dataDir);
        var target = Path.Combine(_dataDir, "shared.txt");
        File.WriteAllText(target, "not a key");
        var everyoneReads = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(target, everyoneReads);
        File.CreateSymbolicLink(Path.Combine(_dataDir, ValidatorIdentity.FileName), target);

        Assert.Throws<InvalidDataException>(() => ValidatorIdentity.LoadOrCreate(_dataDir));

        Assert.Equal(everyoneReads, File.GetUnixFileMode(target));
    }

    [Fact]
    public void A_corrupt_key_file_is_an_error_and_is_left_alone()
    {
        Directory.CreateDirectory(_dataDir);
        var path = Path.Combine(_dataDir, ValidatorIdentity.FileName);
        File.WriteAllText(path, "not a key");
        var error = Assert.Throws<InvalidDataException>(() => ValidatorIdentity.LoadOrCreate(_dataDir));
        Assert.Contains(path, error.Message);
        Assert.Equal("not a key", File.ReadAllText(path));
    }

    [Fact]
    public void Distinct_nodes_get_distinct_identities()
    {
        using var a = ValidatorIdentity.CreateEphemeral();
        using var b = ValidatorIdentity.CreateEphemeral();
        Assert.NotEqual(a.ValidatorId, b.ValidatorId);
        Assert.Equal(32, a.PublicKey.Length);
    }
}
