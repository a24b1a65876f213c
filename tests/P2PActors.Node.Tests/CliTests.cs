using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using P2PActors.Node.Cli;

namespace P2PActors.Node.Tests;

public sealed class CliTests
{
    private static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await NodeCli.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("character")]
    [InlineData("item")]
    [InlineData("quest")]
    [InlineData("map")]
    [InlineData("dialog")]
    public async Task Generate_prints_the_canonical_json_of_the_seeded_content(string type)
    {
        var (exitCode, output, error) = await RunAsync("generate", type, "--seed", "42");
        var again = await RunAsync("generate", type, "--seed", "42");

        Assert.True(exitCode == ExitCodes.Ok, error);
        Assert.Equal(output, again.Out);
        ContentTypes.TryParse(type, out var contentType);
        var expected = ContentFactory.Generate(contentType, new Dictionary<string, string>(), 42);
        Assert.Equal(ContentJson.Serialize(expected) + Environment.NewLine, output);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task Generate_passes_parameters_through()
    {
        var (exitCode, output, error) = await RunAsync("generate", "character", "-s", "7", "--param", "level=33", "-p", "class=mage");

        Assert.True(exitCode == ExitCodes.Ok, error);
        var character = Assert.IsType<Character>(ContentJson.Deserialize(output.Trim()));
        Assert.Equal(33, character.Level);
        Assert.Equal(CharacterClass.Mage, character.Class);
        Assert.Equal(7, character.Seed);
    }

    [Fact]
    public async Task Generate_without_a_seed_prints_content_carrying_its_fresh_seed()
    {
        var (exitCode, output, error) = await RunAsync("generate", "item");

        Assert.True(exitCode == ExitCodes.Ok, error);
        var item = ContentJson.Deserialize(output.Trim());
        var replay = await RunAsync("generate", "item", "--seed", item.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(output, replay.Out);
    }

    [Theory]
    [InlineData("unknown content type", "generate", "dragon")]
    [InlineData("level", "generate", "character", "--param", "level=0")]
    [InlineData("width", "generate", "map", "--param", "width=100000")]
    [InlineData("colour", "generate", "item", "--param", "colour=red")]
    [InlineData("not key=value", "generate", "item", "--param", "rarity")]
    [InlineData("given twice", "generate", "item", "-p", "rarity=rare", "-p", "rarity=epic")]
    [InlineData("--seed", "generate", "item", "--seed", "-5")]
    [InlineData("--seed", "generate", "item", "--seed", "9007199254740992")]
    [InlineData("--seed: 'abc' is not a whole number", "generate", "item", "--seed", "abc")]
    // The parser's own message named the CLR type, System.Nullable`1[System.Int64].
    [InlineData("--seed: '99999999999999999999' is not a whole number; expected 0 to", "generate", "item", "--seed", "99999999999999999999")]
    [InlineData("--seed: 'x' is not a whole number", "render", "item", "--out", "x.png", "--seed", "x")]
    [InlineData("type", "generate")]
    [InlineData("--bogus", "generate", "item", "--bogus")]
    public async Task Generate_reports_bad_input_on_stderr_with_exit_code_2(string expectedInError, params string[] args)
    {
        var (exitCode, output, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("", output);
        Assert.Contains(expectedInError, error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("--request-timeout", 5.0, "node", "--request-timeout", "5")]
    [InlineData("--passivation-idle", 1.5, "--passivation-idle", "1.5")]
    [InlineData("--header-clock-window", 30.0, "--header-clock-window", "00:00:30")]
    [InlineData("--ws-positions-interval", 0.025, "node", "--ws-positions-interval", "00:00:00.025")]
    [InlineData("--timeout", 3.0, "health", "--timeout", "3")]
    [InlineData("--timeout", 90.0, "chaos", "--timeout", "90")]
    [InlineData("--startup-timeout", 60.0, "cluster", "--nodes", "2", "--startup-timeout", "60")]
    [InlineData("--startup-timeout", 45.0, "simulate", "--startup-timeout", "45")]
    public void A_time_flag_reads_a_bare_number_as_seconds_not_days(string flag, double seconds, params string[] args)
    {
        // Prevents: the default parser read "5" as five days, so --passivation-idle 5 kept memories for five days and
        // --header-clock-window 1 widened a consensus check to a day without a word.
        var parsed = NodeCli.Create().Parse(args);

        Assert.Empty(parsed.Errors);
        Assert.Equal(TimeSpan.FromSeconds(seconds), parsed.GetValue<TimeSpan>(flag));
    }

    [Theory]
    [InlineData("--port", "--port", "abc")]
    [InlineData("--port", "--port", "70000")]
    [InlineData("--port", "node", "--port", "-1")]
    [InlineData("--http-url", "--http-url", "ftp://example.org")]
    // Kestrel read these as a port it could not parse and listened on every interface instead (http://[::]:80).
    [InlineData("--http-url", "node", "--http-url", "http://127.0.0.1:5991?x=1")]
    [InlineData("--http-url", "node", "--http-url", "http://127.0.0.1:5991#f")]
    [InlineData("--http-url", "node", "--http-url", "http://user:pw@127.0.0.1:5991")]
    [InlineData("--cache-capacity", "--cache-capacity", "0")]
    [InlineData("--max-inventory-items / P2PActors:MaxInventoryItems", "--max-inventory-items", "0")]
    [InlineData("--max-inventory-items / P2PActors:MaxInventoryItems", "--max-inventory-items", "10001")]
    [InlineData("--max-inventory-items", "--max-inventory-items", "lots")]
    [InlineData("--preview-cache-bytes / P2PActors:PreviewCacheBytes", "--preview-cache-bytes", "1000")]
    [InlineData("--position-persist-interval / P2PActors:PositionPersistInterval: 00:00:00.0500000 must be between", "--position-persist-interval", "00:00:00.05")]
    [InlineData("--position-persist-interval", "--position-persist-interval", "soon")]
    [InlineData("--player-retention / P2PActors:PlayerRetention: 00:30:00 must be 0 (keep every player) or between 02:00:00 and 3650.00:00:00", "--player-retention", "00:30:00")]
    [InlineData("--preview-renders / P2PActors:PreviewRenders", "--preview-renders", "0")]
    [InlineData("--host", "node", "--host", "not a host!")]
    [InlineData("--system-name", "--system-name", "has spaces")]
    [InlineData("--passivation-idle", "--passivation-idle", "soon")]
    [InlineData("--request-timeout: '5d' is neither hh:mm:ss nor a number of seconds", "--request-timeout", "5d")]
    [InlineData("--http-write-burst / P2PActors:HttpWriteBurst: 10 must be at least --http-write-rate (100)", "--http-write-burst", "10")]
    [InlineData("--http-write-rate / P2PActors:HttpWriteRate: -1 must be between 0 (no limit) and 1000000", "--http-write-rate", "-1")]
    [InlineData("--request-timeout: '-1' is not a usable number of seconds", "--request-timeout", "-1")]
    [InlineData("--log-level", "--log-level", "chatty")]
    [InlineData("--nonsense", "--nonsense")]
    [InlineData("approve-all", "--byzantine", "evil")]
    [InlineData("--byzantine", "node", "--byzantine", "approve_all")]
    [InlineData("--decision-timeout", "--decision-timeout", "0")]
    // chaos's spelling of the same flag is taken too.
    [InlineData("--decision-timeout / P2PActors:DecisionTimeoutMs", "--decision-timeout-ms", "0")]
    [InlineData("--identity-timeout / P2PActors:IdentityTimeoutMs: 50 must be between 100 and 600000", "--identity-timeout", "50")]
    [InlineData("--identity-timeout", "--identity-timeout", "soon")]
    [InlineData("partial-mute", "--byzantine", "half-mute")]
    [InlineData("--decision-timeout", "--decision-timeout", "soon")]
    [InlineData("--vote-turn-wait / P2PActors:VoteTurnWaitMs: 101 must be between 0 and 100 milliseconds", "--vote-turn-wait", "101")]
    [InlineData("--share-batch-wait / P2PActors:ShareBatchWaitMs: -1 must be between 0 and 100 milliseconds", "--share-batch-wait", "-1")]
    [InlineData("--proposal-rate", "--proposal-rate", "0")]
    [InlineData("--header-clock-window / P2PActors:HeaderClockWindow", "--header-clock-window", "00:00:00")]
    [InlineData("--header-clock-window", "--header-clock-window", "soon")]
    [InlineData("'postgresql'", "--persistence", "mongodb")]
    [InlineData("--postgres / P2PActors:PostgresConnectionString: is required", "--persistence", "postgresql")]
    [InlineData("--postgres / P2PActors:PostgresConnectionString: is not a PostgreSQL connection string", "--persistence", "postgresql", "--postgres", "Host=db;Pasword=x")]
    // Npgsql took it and threw only on connecting: a stack trace and exit 1.
    [InlineData("has Port=99999, which must be between 1 and 65535", "--persistence", "postgresql", "--postgres", "Host=127.0.0.1;Port=99999;Username=x;Database=y")]
    [InlineData("--database-timeout", "--database-timeout", "soon")]
    [InlineData("--database-timeout / P2PActors:DatabaseStartupTimeout", "--database-timeout", "01:00:00")]
    [InlineData("--validators / P2PActors:AllowedValidators: 'ABC' is not a validator id", "--validators", "ABC")]
    [InlineData("--validators-file / P2PActors:ValidatorsFile: '/nonexistent/validators.txt' cannot be read", "--validators-file", "/nonexistent/validators.txt")]
    [InlineData("--room-capacity", "--room-capacity", "1")]
    [InlineData("--room-capacity", "--room-capacity", "many")]
    [InlineData("Unrecognized command or argument 'maybe'", "--metrics", "maybe")]
    public async Task Node_refuses_invalid_flags_with_exit_code_2_before_starting_anything(string expectedInError, params string[] args)
    {
        // Bounded: flags taken as valid start a node that runs until stopped, and the test would never end.
        var (exitCode, _, error) = await RunAsync(args).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains(expectedInError, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_writes_a_decodable_png_and_prints_its_path_and_content_id()
    {
        var file = Path.Combine(Path.GetTempPath(), $"p2pactors-render-{Guid.NewGuid():N}.png");
        try
        {
            var (exitCode, output, error) = await RunAsync("render", "character", "--seed", "42", "-p", "class=mage", "--out", file, "--size", "96");

            Assert.True(exitCode == ExitCodes.Ok, error);
            var expected = ContentFactory.Generate(ContentType.Character, new Dictionary<string, string> { ["class"] = "mage" }, 42);
            Assert.Contains(file, output, StringComparison.Ordinal);
            Assert.Contains(expected.Id!, output, StringComparison.Ordinal);
            var png = await File.ReadAllBytesAsync(file);
            Assert.True(png.AsSpan().StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "PNG signature");
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            Assert.NotNull(bitmap);
            Assert.Equal(96, bitmap.Width);
            Assert.Equal(96, bitmap.Height);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Render_map_with_tile_size_and_grid_is_sized_by_tiles()
    {
        var file = Path.Combine(Path.GetTempPath(), $"p2pactors-render-{Guid.NewGuid():N}.png");
        try
        {
            var (exitCode, _, error) = await RunAsync("render", "map", "-s", "9", "-p", "width=20", "-p", "height=12", "--tile-size", "5", "--grid", "--out", file);

            Assert.True(exitCode == ExitCodes.Ok, error);
            using var bitmap = SkiaSharp.SKBitmap.Decode(await File.ReadAllBytesAsync(file));
            Assert.Equal(100, bitmap.Width);
            Assert.Equal(60, bitmap.Height);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--size", "render", "item", "--out", "OUT", "--size", "100000")]
    [InlineData("--size", "render", "item", "--out", "OUT", "--size", "abc")]
    [InlineData("--size", "render", "item", "--out", "OUT", "--size", "4")]
    [InlineData("--tile-size", "render", "item", "--out", "OUT", "--tile-size", "8")]
    [InlineData("--tile-size", "render", "map", "--out", "OUT", "-p", "width=256", "-p", "height=256", "--tile-size", "32")]
    [InlineData("unknown content type", "render", "dragon", "--out", "OUT")]
    [InlineData("--seed", "render", "item", "--out", "OUT", "--seed", "-1")]
    public async Task Render_reports_bad_input_with_exit_code_2_and_leaves_the_file_alone(string expectedInError, params string[] template)
    {
        var file = Path.Combine(Path.GetTempPath(), $"p2pactors-render-{Guid.NewGuid():N}.png");
        await File.WriteAllTextAsync(file, "keep me");
        try
        {
            var args = template.Select(a => a == "OUT" ? file : a).ToArray();
            var (exitCode, output, error) = await RunAsync(args);

            Assert.Equal(ExitCodes.Usage, exitCode);
            Assert.Equal("", output);
            Assert.Contains(expectedInError, error, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("keep me", await File.ReadAllTextAsync(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Render_without_out_is_a_usage_error()
    {
        var (exitCode, _, error) = await RunAsync("render", "item");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("--out", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var (exitCode, output, _) = await RunAsync("--help");

        Assert.Equal(ExitCodes.Ok, exitCode);
        Assert.Contains("generate", output, StringComparison.Ordinal);
        Assert.Contains("render", output, StringComparison.Ordinal);
        Assert.Contains("node", output, StringComparison.Ordinal);
        Assert.Contains("--data-dir", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_dir_that_is_a_file_is_named_with_exit_code_2()
    {
        // Taking the folder's lock created it first: a file there threw IOException, a stack trace and exit 1.
        var file = Path.GetTempFileName();
        try
        {
            var (exitCode, _, error) = await RunAsync("node", "--data-dir", file, "--http-url", "http://127.0.0.1:0", "--port", "0")
                .WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(ExitCodes.Usage, exitCode);
            Assert.Contains("--data-dir / P2PActors:DataDirectory:", error, StringComparison.Ordinal);
            Assert.Contains("cannot be the node's data folder", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
