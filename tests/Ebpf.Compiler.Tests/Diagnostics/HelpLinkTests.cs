using System.Collections.Immutable;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Rules;
using Ebpf.Rules.Analyzers;
using Ebpf.Rules.Flow;
using Ebpf.Rules.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Ebpf.Compiler.Tests.Diagnostics;

/// <summary>The IDE opens a diagnostic's help link only when it is absolute: a project that names its documentation
/// (<c>EbpfDiagnosticsHelp</c>, which Ebpf.Sdk sets to the docs/diagnostics.html it ships) gets every diagnostic of
/// every analyzer linked into it, with nothing else about the diagnostic changed.</summary>
public class HelpLinkTests
{
    // Diagnostics from each analyzer: EBPF1001 (subset), EBPF2106 (flow), EBPF2301 (helper: a GPL-only helper under
    // MIT), EBPF3xxx (object: a program that is not static).
    const string Probe = """
        using Ebpf;

        [BpfObject(License = "MIT")]
        public static partial class Probe
        {
            static readonly HashMap<uint, ulong> Counts = new(16);

            [Xdp]
            XdpAction NotStatic(XdpContext ctx) => XdpAction.Pass;

            [Xdp]
            static XdpAction Run(XdpContext ctx)
            {
                var o = new object();
                Bpf.Printk("hi");
                ref ulong v = ref Counts.Lookup(1);
                v++;
                return XdpAction.Pass;
            }
        }
        """;

    static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        [new SubsetAnalyzer(), new FlowAnalyzer(), new HelperAnalyzer(), new ObjectAnalyzer()];

    static async Task<ImmutableArray<Diagnostic>> Analyze(string? help)
    {
        var compilation = TestCompilations.Create(Probe);
        var options = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new HelpOption(help));
        var diagnostics = await compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync();
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id).ToImmutableArray();
    }

    [Theory]
    [InlineData("/opt/ebpf.sdk/1.0.0/docs/diagnostics.html", "file:///opt/ebpf.sdk/1.0.0/docs/diagnostics.html#")]
    [InlineData("https://docs.example.org/ebpf/diagnostics.html", "https://docs.example.org/ebpf/diagnostics.html#")]
    public async Task A_named_document_links_every_diagnostic_into_it_and_changes_nothing_else(string help, string expectedBase)
    {
        var plain = await Analyze(null);
        var linked = await Analyze(help);
        Assert.Contains(plain, d => d.Id == "EBPF1001");
        Assert.Contains(plain, d => d.Id == "EBPF2106");
        Assert.Contains(plain, d => d.Id == "EBPF2301");
        Assert.Contains(plain, d => d.Id.StartsWith("EBPF3", StringComparison.Ordinal));
        Assert.Equal(plain.Select(d => d.Id), linked.Select(d => d.Id));
        foreach (var (before, after) in plain.Zip(linked))
        {
            Assert.Equal(HelpLinkFormat.RepositoryBase + "#" + before.Id.ToLowerInvariant(), before.Descriptor.HelpLinkUri);
            Assert.Equal(expectedBase + before.Id.ToLowerInvariant(), after.Descriptor.HelpLinkUri);
            Assert.True(Uri.IsWellFormedUriString(after.Descriptor.HelpLinkUri, UriKind.Absolute), after.Descriptor.HelpLinkUri);
            Assert.Equal(before.GetMessage(), after.GetMessage());
            Assert.Equal(before.Location.GetLineSpan(), after.Location.GetLineSpan());
            Assert.Equal(before.Severity, after.Severity);
            Assert.Equal(before.Descriptor.Title, after.Descriptor.Title);
            Assert.Equal(before.Descriptor.CustomTags, after.Descriptor.CustomTags);
            Assert.Equal(before.Properties, after.Properties);
        }
    }

    [Theory]
    [InlineData("docs/diagnostics.html")]   // relative: no IDE could open it, so the catalog's own link stays
    [InlineData("")]
    public async Task A_document_that_is_not_absolute_keeps_the_catalog_link(string help)
    {
        foreach (var d in await Analyze(help))
            Assert.Equal(HelpLinkFormat.RepositoryBase + "#" + d.Id.ToLowerInvariant(), d.Descriptor.HelpLinkUri);
    }

    sealed class HelpOption(string? value) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(value);
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

        sealed class Options(string? value) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string result)
            {
                var found = key == "build_property." + HelpLinkFormat.Property && value is not null;
                result = found ? value! : null!;
                return found;
            }
        }
    }
}
