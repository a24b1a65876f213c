using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using P2PActors.Cluster.Consensus;

namespace P2PActors.Node.Tests;

/// <summary>A node whose own validator never answers: every vote ends undecided (a one-node set needs its one approval).</summary>
public sealed class SilentNodeFixture : NodeFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:Byzantine"] = "silent",
        // Long enough for a burst of requests to arrive while one vote waits.
        ["P2PActors:DecisionTimeoutMs"] = "2000",
    };
}

/// <summary>A node that overpowers everything it proposes; its own (honest) validator rejects it.</summary>
public sealed class OverpoweredNodeFixture : NodeFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:Byzantine"] = "overpowered",
    };
}

public sealed class ConsensusApiTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Validators_lists_this_node_as_a_set_of_one_that_tolerates_no_Byzantine_peer()
    {
        var system = node.App.Services.GetRequiredService<ActorSystem>();
        var self = ConsensusRuntime.For(system).ValidatorId;
        var body = await node.Http.GetFromJsonAsync<JsonElement>("/api/validators");

        Assert.Equal(self, body.GetProperty("self").GetString());
        Assert.Equal("honest", body.GetProperty("byzantine").GetString());
        Assert.Equal(1, body.GetProperty("n").GetInt32());
        Assert.Equal(1, body.GetProperty("threshold").GetInt32());
        Assert.Equal(0, body.GetProperty("f").GetInt32());
        Assert.Contains("tolerates no Byzantine peer", body.GetProperty("tolerance").GetString(), StringComparison.Ordinal);
        Assert.True(body.GetProperty("epoch").GetInt64() > 0);
        var validator = Assert.Single(body.GetProperty("validators").EnumerateArray());
        Assert.Equal(self, validator.GetProperty("id").GetString());
        Assert.Equal(Akka.Cluster.Cluster.Get(system).SelfAddress.ToString(), validator.GetProperty("address").GetString());
        Assert.True(validator.GetProperty("inCurrentSet").GetBoolean());
        Assert.False(validator.GetProperty("equivocating").GetBoolean());
        Assert.Equal(0, validator.GetProperty("evidenceCount").GetInt32());
    }

    [Fact]
    public async Task Sharing_accepted_content_answers_201_with_a_certificate_summary_signed_by_this_node()
    {
        var system = node.App.Services.GetRequiredService<ActorSystem>();
        using var generated = await node.PostJsonAsync("/api/content/character", """{ "playerId": "certified", "seed": 77 }""");
        generated.EnsureSuccessStatusCode();
        var id = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var share = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{id}}" }""");
        var text = await share.Content.ReadAsStringAsync();
        Assert.True(share.StatusCode == HttpStatusCode.Created, text);
        var certificate = JsonDocument.Parse(text).RootElement.GetProperty("certificate");
        Assert.Equal([ConsensusRuntime.For(system).ValidatorId], certificate.GetProperty("signers").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(1, certificate.GetProperty("threshold").GetInt32());

        // The shared entry carries the certificate itself, which this node verifies.
        var header = await P2PActors.Cluster.State.GameState.For(system).FindCatalogEntryAsync(id!);
        Assert.NotNull(header?.Certificate);
        Assert.True(CertificateVerifier.Verify(header.Certificate.ToCertificate(), id!, ConsensusRuntime.For(system).Snapshot.Registry).IsValid);
    }
}

public sealed class UndecidedShareTests(SilentNodeFixture node) : IClassFixture<SilentNodeFixture>
{
    [Fact]
    public async Task An_undecided_vote_answers_503_undecided_and_shares_nothing()
    {
        using var generated = await node.PostJsonAsync("/api/content/item", """{ "playerId": "waiting", "seed": 5 }""");
        generated.EnsureSuccessStatusCode();
        var id = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var share = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{id}}" }""");
        var text = await share.Content.ReadAsStringAsync();
        Assert.True(share.StatusCode == HttpStatusCode.ServiceUnavailable, text);
        Assert.Equal("application/problem+json", share.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("undecided", problem.GetProperty("title").GetString());
        Assert.Equal("undecided", problem.GetProperty("decision").GetString());
        Assert.Equal(0, problem.GetProperty("approvals").GetInt32());

        var catalog = await node.Http.GetFromJsonAsync<JsonElement>("/api/catalog");
        Assert.Equal(0, catalog.GetProperty("total").GetInt32());
        var validators = await node.Http.GetFromJsonAsync<JsonElement>("/api/validators");
        Assert.Equal("silent", validators.GetProperty("byzantine").GetString());
    }

    [Fact]
    public async Task Shares_of_content_whose_vote_is_running_wait_for_it_and_are_answered_with_its_outcome()
    {
        using var generated = await node.PostJsonAsync("/api/content/item", """{ "playerId": "waiting-burst", "seed": 19 }""");
        generated.EnsureSuccessStatusCode();
        var id = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var before = await UndecidedVotesAsync();

        // A script retrying, or a held-down key: six shares of it while its first vote waits out its 2 s.
        var shares = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var share = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{id}}" }""");
            return (share.StatusCode, Body: await share.Content.ReadAsStringAsync());
        }));

        Assert.All(shares, s => Assert.True(s.StatusCode == HttpStatusCode.ServiceUnavailable, s.Body));
        Assert.All(shares, s => Assert.Equal("undecided", JsonDocument.Parse(s.Body).RootElement.GetProperty("decision").GetString()));
        // One vote for all six (each waiting its turn to vote again took six). The coordinator's decisions are counted
        // as it publishes them, in order: one more vote, of other content, is counted after every vote of the burst.
        using var other = await node.PostJsonAsync("/api/content/item", """{ "playerId": "waiting-burst", "seed": 20 }""");
        other.EnsureSuccessStatusCode();
        var otherId = (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using (var last = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{otherId}}" }"""))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, last.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await UndecidedVotesAsync() < before + 2 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(before + 2, await UndecidedVotesAsync());
    }

    private async Task<double> UndecidedVotesAsync()
    {
        var text = await node.Http.GetStringAsync("/metrics");
        var line = text.Split('\n').Single(l => l.StartsWith("p2pactors_consensus_outcomes_total{decision=\"undecided\"}", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class RejectedShareTests(OverpoweredNodeFixture node) : IClassFixture<OverpoweredNodeFixture>
{
    [Fact]
    public async Task Rejected_content_answers_422_naming_every_broken_rule_and_shares_nothing()
    {
        using var generated = await node.PostJsonAsync("/api/content/item", """{ "playerId": "greedy", "seed": 9 }""");
        generated.EnsureSuccessStatusCode();
        var id = (await generated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var share = await node.PostJsonAsync("/api/catalog", $$"""{ "contentId": "{{id}}", "author": "greedy" }""");
        var text = await share.Content.ReadAsStringAsync();
        Assert.True(share.StatusCode == HttpStatusCode.UnprocessableEntity, text);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("rejected", problem.GetProperty("decision").GetString());
        var rules = problem.GetProperty("rules").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Contains("balance.item.stat-cap", rules);
        Assert.Contains("balance.item.stat-cap", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var catalog = await node.Http.GetFromJsonAsync<JsonElement>("/api/catalog");
        Assert.Equal(0, catalog.GetProperty("total").GetInt32());
    }
}

/// <summary>A node that never answers an identity challenge, not even its own registry's: it proves no key.</summary>
public sealed class MuteNodeFixture : NodeFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides { get; } = new Dictionary<string, string?>
    {
        ["P2PActors:Byzantine"] = "mute",
        ["P2PActors:IdentityTimeoutMs"] = "300",
    };

    protected override bool FormsValidatorSet => false;
}

public sealed class MuteNodeTests(MuteNodeFixture node) : IClassFixture<MuteNodeFixture>
{
    [Fact]
    public async Task Validators_flags_a_member_that_proved_no_key_and_no_set_forms_without_one()
    {
        var system = node.App.Services.GetRequiredService<ActorSystem>();
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
        var runtime = ConsensusRuntime.For(system);
        // Left out once its 300 ms are over (the registry re-evaluates every 500 ms); its self-signed binding names its id.
        await runtime.Snapshot.WaitForAsync(v => v.LeftOut.ContainsKey(self) && v.ClaimedAddresses.ContainsKey(runtime.ValidatorId), TimeSpan.FromSeconds(30));

        var body = await node.Http.GetFromJsonAsync<JsonElement>("/api/validators");
        Assert.Equal("mute", body.GetProperty("byzantine").GetString());
        Assert.Equal(0, body.GetProperty("n").GetInt32());
        Assert.Equal("no validator set: no Up member with a proven, listed validator key", body.GetProperty("tolerance").GetString());
        var leftOut = Assert.Single(body.GetProperty("leftOut").EnumerateArray());
        Assert.Equal(self, leftOut.GetProperty("address").GetString());
        Assert.Equal(runtime.ValidatorId, leftOut.GetProperty("claimedId").GetString());
        Assert.Equal("no answer to identity challenges within 0.3 s", leftOut.GetProperty("reason").GetString());
    }
}
