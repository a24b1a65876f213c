using P2PActors.Content.Generation;
using P2PActors.Content.Model;
using Xunit.Abstractions;

namespace P2PActors.Content.Tests;

public sealed class SmokeTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> None = new();

    [Theory]
    [InlineData(ContentType.Character)]
    [InlineData(ContentType.Item)]
    [InlineData(ContentType.Quest)]
    [InlineData(ContentType.Map)]
    [InlineData(ContentType.Dialog)]
    public void Generates_sound_content(ContentType type)
    {
        for (long seed = 0; seed < 300; seed++)
        {
            var content = ContentFactory.Generate(type, None, seed);
            Assert.Empty(Balance.Check(content));
            Assert.True(ContentJson.HasValidId(content));
            if (seed < 2) output.WriteLine(ContentJson.Serialize(content));
        }
    }
}
