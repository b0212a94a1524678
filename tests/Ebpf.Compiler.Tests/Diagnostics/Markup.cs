using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Ebpf.Compiler.Tests.Diagnostics;

/// <summary>Inline diagnostic markup: <c>{|EBPF1001:new Foo()|}</c> marks the exact span where a
/// diagnostic with that ID is expected (spans may not nest).</summary>
public sealed record Markup(string Source, IReadOnlyList<(string Id, TextSpan Span)> Expected)
{
    static readonly Regex Marker = new(@"\{\|(?<id>[A-Z]+[0-9]+):(?<text>.*?)\|\}", RegexOptions.Singleline);

    public static Markup Parse(string markup)
    {
        var sb = new StringBuilder();
        var expected = new List<(string, TextSpan)>();
        int last = 0;
        foreach (Match m in Marker.Matches(markup))
        {
            sb.Append(markup, last, m.Index - last);
            var text = m.Groups["text"].Value;
            expected.Add((m.Groups["id"].Value, new TextSpan(sb.Length, text.Length)));
            sb.Append(text);
            last = m.Index + m.Length;
        }
        sb.Append(markup, last, markup.Length - last);
        return new Markup(sb.ToString(), expected);
    }

    /// <summary>Asserts that <paramref name="actual"/> (filtered to the EBPF IDs) is exactly the expected set,
    /// printing both sides as <c>(line,col)-(line,col) ID</c> with the marked text.</summary>
    public void AssertMatches(IEnumerable<Diagnostic> actual)
    {
        var text = SourceText.From(Source);
        string Show(string id, TextSpan span)
        {
            var lines = text.Lines.GetLinePositionSpan(span);
            return $"({lines.Start.Line + 1},{lines.Start.Character + 1})-({lines.End.Line + 1},{lines.End.Character + 1}) {id} '{text.ToString(span)}'";
        }
        var want = Expected.Select(e => Show(e.Id, e.Span)).OrderBy(s => s, StringComparer.Ordinal).ToList();
        var got = actual.Where(d => d.Id.StartsWith("EBPF", StringComparison.Ordinal))
            .Select(d => Show(d.Id, d.Location.SourceSpan) + "  // " + d.GetMessage()).OrderBy(s => s, StringComparer.Ordinal).ToList();
        var gotKeys = got.Select(g => g[..g.IndexOf("  // ", StringComparison.Ordinal)]).ToList();
        Assert.True(want.SequenceEqual(gotKeys), $"expected:\n  {string.Join("\n  ", want)}\nactual:\n  {string.Join("\n  ", got)}");
    }
}
