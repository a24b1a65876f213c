using P2PActors.Node.Configuration;

namespace P2PActors.Node.Tests;

/// <summary>The WebSocket settings: valid defaults, and every unusable value refused naming its flag and key.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class WsOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_allow_only_the_pages_own_origin()
    {
        var options = new NodeOptions();
        Assert.Empty(options.Validate());
        Assert.Empty(options.WsAllowedOriginList);
        Assert.Equal(64 * 1024, options.WsMaxMessageBytes);
    }

    [Theory]
    [InlineData(nameof(NodeOptions.WsMessagesPerSecond), "0", "--ws-rate")]
    [InlineData(nameof(NodeOptions.WsMessageBurst), "0", "--ws-burst")]
    [InlineData(nameof(NodeOptions.WsMaxMessageBytes), "100", "--ws-max-message-bytes")]
    [InlineData(nameof(NodeOptions.WsOutgoingQueue), "1", "--ws-queue")]
    [InlineData(nameof(NodeOptions.WsAllowedOrigins), "game.example.com", "--ws-allowed-origins")]
    [InlineData(nameof(NodeOptions.WsAllowedOrigins), "https://game.example.com/page", "--ws-allowed-origins")]
    [InlineData(nameof(NodeOptions.WsResumeGrace), "02:00:00", "--ws-resume-grace")]
    public void An_unusable_value_is_refused_naming_the_flag_and_the_key(string key, string value, string flag)
    {
        var error = Assert.Throws<NodeConfigurationException>(() =>
        {
            using var app = P2PActors.Node.Hosting.NodeHost.Build(new Dictionary<string, string?> { [$"P2PActors:{key}"] = value });
        });
        var problem = Assert.Single(error.Problems);
        Assert.Contains(flag, problem, StringComparison.Ordinal);
        Assert.Contains($"P2PActors:{key}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Listed_origins_and_the_wildcard_are_accepted()
    {
        var options = new NodeOptions { WsAllowedOrigins = "https://game.example.com, http://127.0.0.1:8080,*" };
        Assert.Empty(options.Validate());
        Assert.Equal(["https://game.example.com", "http://127.0.0.1:8080", "*"], options.WsAllowedOriginList);
    }
}
