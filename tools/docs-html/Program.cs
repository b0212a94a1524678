using System.Net;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

// usage: docs-html DOCS_DIR OUTPUT_DIR
// Renders every DOCS_DIR/*.md to OUTPUT_DIR/*.html. Links between the pages are re-pointed at the rendered pages; a page
// keeps the Markdown's raw HTML anchors (<a id="ebpf1001">), which the diagnostics' help links target.
if (args.Length != 2 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: docs-html DOCS_DIR OUTPUT_DIR");
    return 2;
}
Directory.CreateDirectory(args[1]);
var pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();
foreach (var page in Directory.GetFiles(args[0], "*.md").Order(StringComparer.Ordinal))
{
    var output = Path.Combine(args[1], Path.GetFileNameWithoutExtension(page) + ".html");
    File.WriteAllText(output, Render(File.ReadAllText(page), Path.GetFileNameWithoutExtension(page), pipeline));
}
return 0;

static string Render(string markdown, string name, MarkdownPipeline pipeline)
{
    var document = Markdown.Parse(markdown, pipeline);
    foreach (var link in document.Descendants<LinkInline>())
        if (link.Url is { } url && !url.Contains("://", StringComparison.Ordinal) && SiblingPage().Match(url) is { Success: true } m)
            link.Url = m.Groups["page"].Value + ".html" + m.Groups["anchor"].Value;
    using var body = new StringWriter();
    var renderer = new HtmlRenderer(body);
    pipeline.Setup(renderer);
    renderer.Render(document);
    var title = markdown.Split('\n').FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim() ?? name;
    return Page(title, body.ToString());
}
static string Page(string title, string body) => $"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>{WebUtility.HtmlEncode(title)}</title>
    <style>
    {Style}
    </style>
    </head>
    <body>
    {body}
    </body>
    </html>

    """;

partial class Program
{
    const string Style = """
        body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; font: 16px/1.5 system-ui, sans-serif; color: #1f2328; }
        pre, code { font-family: ui-monospace, monospace; font-size: 0.9em; }
        pre { background: #f6f8fa; padding: 0.75rem; overflow-x: auto; border-radius: 6px; }
        code { background: #f6f8fa; padding: 0.1em 0.3em; border-radius: 4px; }
        pre code { padding: 0; }
        table { border-collapse: collapse; }
        th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; }
        p:has(> a:target) + h3 { background: #fff8c5; }
        """;

    /// <summary>A link to another page of docs/: <c>language.md</c> or <c>language.md#anchor</c>.</summary>
    [GeneratedRegex(@"^(?<page>[A-Za-z0-9_-]+)\.md(?<anchor>#.*)?$")]
    private static partial Regex SiblingPage();
}
