using System.Text;
using System.Text.RegularExpressions;

namespace P2PActors.Node.Tests;

/// <summary>
/// Every relative link and image of the README, DEVELOPERS.md and docs/*.md names a file that exists and, with a
/// <c>#anchor</c>, a heading of that file (anchors as GitHub makes them from headings). Links in code are not links.
/// </summary>
public sealed partial class DocumentationLinksTests
{
    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^(#{1,6})\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex InlineCode();

    private static IEnumerable<string> Documents(string root) =>
        new[] { "README.md", "DEVELOPERS.md" }.Concat(
            Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal));

    [Fact]
    public void Every_relative_link_in_the_docs_resolves_to_a_file_and_heading()
    {
        var root = DocumentedExamplesTests.RepositoryRoot();
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var document in Documents(root))
        {
            var path = Path.Combine(root, document);
            Assert.True(File.Exists(path), $"{document} is missing");
            foreach (var (line, target) in Links(File.ReadAllText(path)))
            {
                if (Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" or "mailto")
                    continue;
                checkedLinks++;
                var hash = target.IndexOf('#', StringComparison.Ordinal);
                var file = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
                var anchor = hash < 0 ? null : target[(hash + 1)..];
                var resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                    broken.Add($"{document}:{line}: {target} — no such file");
                else if (anchor is not null && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
                    broken.Add($"{document}:{line}: {target} — {Path.GetRelativePath(root, resolved)} has no heading #{anchor}");
            }
        }
        Assert.True(checkedLinks > 20, $"only {checkedLinks} relative links found: is the link pattern still right?");
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Theory]
    // GitHub's rule, by hand: lower case, punctuation dropped (hyphens and underscores kept), each space a hyphen.
    [InlineData("Proof: the compose test", "proof-the-compose-test")]
    [InlineData("Signaling rooms (WebRTC)", "signaling-rooms-webrtc")]
    [InlineData("WebSocket `/ws`", "websocket-ws")]
    [InlineData("Local validation — `P2PActors.Content.Validation`", "local-validation--p2pactorscontentvalidation")]
    [InlineData("Ratings, preferences and recommendations", "ratings-preferences-and-recommendations")]
    public void A_heading_gives_the_anchor_github_gives_it(string heading, string anchor) =>
        Assert.Equal(anchor, Slug(heading));

    [Fact]
    public void Repeated_headings_are_numbered_and_code_is_not_read()
    {
        var markdown = "# Limits\n\n```bash\n# not a heading\n[not](a-link.md)\n```\n\n## Limits\n\nSee [x](other.md#limits-1) and `[y](z.md)`.\n";
        Assert.Equal(new[] { "limits", "limits-1" }, Anchors(markdown).Order(StringComparer.Ordinal));
        Assert.Equal(new List<(int, string)> { (10, "other.md#limits-1") }, Links(markdown));
    }

    internal static string Slug(string heading)
    {
        var slug = new StringBuilder();
        foreach (var c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
                slug.Append(c);
            else if (c == ' ')
                slug.Append('-');
        }
        return slug.ToString();
    }

    /// <summary>The anchors of a markdown file's headings, outside code blocks; repeats get -1, -2, ….</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, line) in Prose(markdown))
        {
            if (Heading().Match(line) is not { Success: true } heading)
                continue;
            var slug = Slug(heading.Groups["text"].Value);
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }
        return anchors;
    }

    /// <summary>(line number, target) of every link and image outside code.</summary>
    private static List<(int Line, string Target)> Links(string markdown) =>
        Prose(markdown)
            .SelectMany(l => Link().Matches(InlineCode().Replace(l.Text, "")).Select(m => (l.Line, m.Groups["target"].Value)))
            .ToList();

    /// <summary>The lines outside fenced code blocks, with their 1-based numbers.</summary>
    private static IEnumerable<(int Line, string Text)> Prose(string markdown)
    {
        var inCode = false;
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }
            if (!inCode)
                yield return (i + 1, lines[i]);
        }
    }
}
