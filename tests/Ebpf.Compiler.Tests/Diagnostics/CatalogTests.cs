using System.Text.RegularExpressions;
using Ebpf.Rules;
using Ebpf.TestSupport;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Tests.Diagnostics;

/// <summary>The catalog, its documentation and its release-tracking file stay in step.</summary>
public class CatalogTests
{
    [Fact]
    public void Ids_are_unique_and_in_their_ranges_with_help_links()
    {
        var all = DiagnosticDescriptors.All;
        Assert.Equal(all.Length, all.Select(d => d.Id).Distinct().Count());
        foreach (var d in all)
        {
            Assert.Equal(DiagnosticDescriptors.CategoryOf(d.Id), d.Category);
            Assert.Equal(HelpLinkFormat.Link(HelpLinkFormat.RepositoryBase, d.Id), d.HelpLinkUri);
        }
    }

    [Fact]
    public void Every_id_has_one_anchor_in_docs_diagnostics_md_and_every_anchor_an_id()
    {
        var doc = File.ReadAllText(RepoPaths.Combine("docs", "diagnostics.md"));
        var anchors = Regex.Matches(doc, "<a id=\"(ebpf\\d{4})\"></a>").Select(m => m.Groups[1].Value.ToUpperInvariant()).ToList();
        Assert.Equal(anchors.Count, anchors.Distinct().Count());
        // The source diagnostics and the kernel verifier message classes (EBPF22xx, reported from the kernel's log).
        Assert.Equal(DiagnosticDescriptors.All.Concat(DiagnosticDescriptors.KernelVerifierMessages).Select(d => d.Id).Order(), anchors.Order());
    }

    [Fact]
    public void Every_id_is_in_the_release_tracking_file_with_its_category_and_severity()
    {
        var rows = File.ReadAllLines(RepoPaths.Combine("analyzers", "Ebpf.Rules", "AnalyzerReleases.Unshipped.md"))
            .Where(l => l.StartsWith("EBPF", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(p => p.Trim()).ToArray())
            .ToDictionary(p => p[0], p => (Category: p[1], Severity: p[2]));
        Assert.Equal(DiagnosticDescriptors.All.Select(d => d.Id).Order(), rows.Keys.Order());
        foreach (var d in DiagnosticDescriptors.All)
            Assert.Equal((d.Category, d.DefaultSeverity.ToString()), rows[d.Id]);
    }
}
