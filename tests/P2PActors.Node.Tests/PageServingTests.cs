using System.Net;
using System.Text.RegularExpressions;

namespace P2PActors.Node.Tests;

/// <summary>
/// The page's static files as the node serves them: index.html at "/", modules and CSS with their types, nothing that
/// reaches another origin, every module import resolvable, and the API routes untouched.
/// </summary>
public sealed partial class PageServingTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static readonly string WebRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    [GeneratedRegex("""(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]""")]
    private static partial Regex ModuleImport();

    [GeneratedRegex("""(?:src|href)\s*=\s*["']([^"']+)["']""")]
    private static partial Regex HtmlReference();

    [Fact]
    public async Task Root_serves_the_page_and_its_modules_with_their_content_types()
    {
        using var root = await node.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        var html = await root.Content.ReadAsStringAsync();
        Assert.Contains("""<script type="module" src="js/main.js"></script>""", html);

        var files = Directory.EnumerateFiles(WebRoot, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".js" or ".css" or ".html").ToList();
        Assert.Contains(files, f => f.EndsWith("main.js", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var path = "/" + Path.GetRelativePath(WebRoot, file).Replace('\\', '/');
            using var response = await node.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var expected = Path.GetExtension(file) switch { ".js" => "text/javascript", ".css" => "text/css", _ => "text/html" };
            Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(await File.ReadAllTextAsync(file), await response.Content.ReadAsStringAsync());
        }

        using var missing = await node.Http.GetAsync("/js/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var types = await node.Http.GetAsync("/api/types");
        Assert.Equal(HttpStatusCode.OK, types.StatusCode);
        Assert.Equal("application/json", types.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void The_page_reaches_no_other_origin_and_every_import_resolves()
    {
        var files = Directory.EnumerateFiles(WebRoot, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".js" or ".css" or ".html").ToList();
        Assert.NotEmpty(files);
        var checkedReferences = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("http://", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("https://", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("@import", text, StringComparison.Ordinal);
            var references = ModuleImport().Matches(text).Concat(HtmlReference().Matches(text)).Select(m => m.Groups[1].Value);
            foreach (var reference in references)
            {
                if (reference.StartsWith("data:", StringComparison.Ordinal) || reference.StartsWith('#'))
                    continue;
                Assert.False(reference.StartsWith("//", StringComparison.Ordinal), $"{file} references another origin: {reference}");
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, reference));
                Assert.True(File.Exists(target), $"{Path.GetFileName(file)} references {reference}, which is not in wwwroot");
                checkedReferences++;
            }
        }
        // main.js alone imports every section: the patterns above must have found those imports.
        Assert.True(checkedReferences >= 10, $"only {checkedReferences} references found; the patterns no longer match the page");
    }
}
