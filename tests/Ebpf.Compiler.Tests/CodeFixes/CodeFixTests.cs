using System.Collections.Immutable;
using Ebpf.CodeFixes;
using Ebpf.Compiler.Pipeline;
using Ebpf.Rules.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Ebpf.Compiler.Tests.CodeFixes;

/// <summary>Each code fix, before and after: the analyzers report the diagnostic on the source, the fix
/// produces exactly the expected text, and the result no longer has that diagnostic. Where the fixed
/// probe is complete, the eBPF compiler builds it (the fix itself compiles).</summary>
public class CodeFixTests
{
    static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ObjectAnalyzer(), new SubsetAnalyzer(), new Ebpf.Rules.Flow.FlowAnalyzer());

    static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var references = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        var ebpf = typeof(Ebpf.BpfObjectAttribute).Assembly.Location;
        if (!references.Any(r => r.Display == ebpf)) references.Add(MetadataReference.CreateFromFile(ebpf));
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Probe", "Probe", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Preview), metadataReferences: references));
        return workspace.AddDocument(project.Id, "Probe.cs", SourceText.From(source));
    }

    static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Document document, string id)
    {
        var compilation = (await document.Project.GetCompilationAsync())!;
        var all = await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        return all.Where(d => d.Id == id).OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    /// <summary>Applies the first fix <paramref name="fix"/> offers for the first <paramref name="id"/> diagnostic; returns the new text.</summary>
    /// <param name="all">The fix removes every <paramref name="id"/> (false: the first one only).</param>
    static async Task<string> ApplyAsync(CodeFixProvider fix, string id, string before, bool all = true)
    {
        var document = CreateDocument(before);
        var diagnostics = await DiagnosticsAsync(document, id);
        Assert.NotEmpty(diagnostics);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostics[0], (action, _) => actions.Add(action), CancellationToken.None);
        await fix.RegisterCodeFixesAsync(context);
        var action = Assert.Single(actions);
        var operation = (await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
        var changed = operation.ChangedSolution.GetDocument(document.Id)!;
        var left = await DiagnosticsAsync(changed, id);
        if (all) Assert.Empty(left);
        else Assert.Equal(diagnostics.Length - 1, left.Length);
        return (await changed.GetTextAsync()).ToString();
    }

    static void AssertBuilds(string source)
    {
        var result = BpfCompiler.CompileSources(new[] { (source, "Probe.cs") });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public async Task Object_class_becomes_static_partial()
    {
        const string before = """
            using Ebpf;
            [BpfObject]
            public class Probe
            {
                [Xdp] static XdpAction Run(XdpContext ctx) => XdpAction.Pass;
            }
            """;
        const string after = """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [Xdp] static XdpAction Run(XdpContext ctx) => XdpAction.Pass;
            }
            """;
        Assert.Equal(after, await ApplyAsync(new MakeObjectClassStaticPartialFix(), "EBPF3001", before));
        AssertBuilds(after);
    }

    [Fact]
    public async Task Program_becomes_static()
    {
        const string before = """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [Xdp]
                XdpAction Run(XdpContext ctx) => XdpAction.Pass;
            }
            """;
        const string after = """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [Xdp]
                static XdpAction Run(XdpContext ctx) => XdpAction.Pass;
            }
            """;
        Assert.Equal(after, await ApplyAsync(new MakeProgramStaticFix(), "EBPF3002", before));
        AssertBuilds(after);
    }

    [Fact]
    public async Task Map_field_becomes_static_readonly()
    {
        const string before = """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                static HashMap<uint, ulong> Counts = new(maxEntries: 16);
                [Xdp] static XdpAction Run(XdpContext ctx) { Counts.Update(1, 1); return XdpAction.Pass; }
            }
            """;
        const string after = """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
                [Xdp] static XdpAction Run(XdpContext ctx) { Counts.Update(1, 1); return XdpAction.Pass; }
            }
            """;
        Assert.Equal(after, await ApplyAsync(new MakeMapFieldStaticReadonlyFix(), "EBPF3007", before));
        AssertBuilds(after);
    }

    [Fact]
    public async Task Allocated_class_becomes_a_struct()
    {
        const string before = """
            using Ebpf;
            public sealed class Pair { public uint A; public uint B; }
            [BpfObject]
            public static partial class Probe
            {
                static readonly ArrayMap<ulong> Sums = new(maxEntries: 1);
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    var p = new Pair { A = 1, B = 2 };
                    Sums.Update(0, p.A + p.B);
                    return XdpAction.Pass;
                }
            }
            """;
        const string after = """
            using Ebpf;
            public struct Pair { public uint A; public uint B; }
            [BpfObject]
            public static partial class Probe
            {
                static readonly ArrayMap<ulong> Sums = new(maxEntries: 1);
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    var p = new Pair { A = 1, B = 2 };
                    Sums.Update(0, p.A + p.B);
                    return XdpAction.Pass;
                }
            }
            """;
        Assert.Equal(after, await ApplyAsync(new ClassToStructFix(), "EBPF1001", before));
        AssertBuilds(after);
    }

    [Fact]
    public async Task Managed_array_becomes_stackalloc_span()
    {
        const string before = """
            using System;
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    var buffer = new byte[16];
                    buffer[0] = 1;
                    return buffer[0] == 1 ? XdpAction.Pass : XdpAction.Drop;
                }
            }
            """;
        const string after = """
            using System;
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    Span<byte> buffer = stackalloc byte[16];
                    buffer[0] = 1;
                    return buffer[0] == 1 ? XdpAction.Pass : XdpAction.Drop;
                }
            }
            """;
        Assert.Equal(after, await ApplyAsync(new ManagedArrayToStackallocFix(), "EBPF1002", before));
        AssertBuilds(after);
    }

    [Fact]
    public async Task Checked_arithmetic_becomes_unchecked()
    {
        const string before = """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                static readonly ArrayMap<int> Values = new(maxEntries: 1);
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    int x = (int)ctx.IngressIfindex;
                    Values.Update(0, checked(x + 1));
                    return XdpAction.Pass;
                }
            }
            """;
        var after = before.Replace("checked(x + 1)", "unchecked(x + 1)");
        Assert.Equal(after, await ApplyAsync(new CheckedToUncheckedFix(), "EBPF1009", before));
        AssertBuilds(after);
    }

    [Fact]
    public async Task Checked_block_becomes_unchecked()
    {
        const string before = """
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                static readonly ArrayMap<int> Values = new(maxEntries: 1);
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    int x = (int)ctx.IngressIfindex;
                    checked
                    {
                        Values.Update(0, x * 3);
                    }
                    return XdpAction.Pass;
                }
            }
            """;
        var after = before.Replace("    checked\n", "    unchecked\n");
        Assert.Equal(after, await ApplyAsync(new CheckedToUncheckedFix(), "EBPF1009", before));
        AssertBuilds(after);
    }

    [Fact]
    public async Task Unchecked_lookup_gets_an_early_return_null_check()
    {
        const string before = """
            using System.Runtime.CompilerServices;
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    ref ulong c = ref Counts.Lookup(1);
                    c++;
                    return XdpAction.Pass;
                }
            }
            """;
        const string after = """
            using System.Runtime.CompilerServices;
            using Ebpf;
            [BpfObject]
            public static partial class Probe
            {
                static readonly HashMap<uint, ulong> Counts = new(maxEntries: 16);
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    ref ulong c = ref Counts.Lookup(1);
                    if (Unsafe.IsNullRef(ref c)) return XdpAction.Pass;
                    c++;
                    return XdpAction.Pass;
                }
            }
            """;
        Assert.Equal(after, await ApplyAsync(new NullCheckFix(), "EBPF2106", before));
        AssertBuilds(after);
    }

    [Fact]
    public async Task Short_packet_check_is_widened_to_the_bytes_the_read_needs()
    {
        const string before = """
            using Ebpf;
            [BpfObject]
            public static unsafe partial class Probe
            {
                static uint Total;
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    byte* data = ctx.Data;
                    if (data + 14 > ctx.DataEnd) return XdpAction.Drop;
                    Total = *(uint*)(data + 12);
                    return XdpAction.Pass;
                }
            }
            """;
        var after = before.Replace("data + 14 >", "data + 16 >");
        Assert.Equal(after, await ApplyAsync(new PacketBoundsFix(), "EBPF2107", before));
        AssertBuilds(after);
    }

    [Fact]
    public async Task Unchecked_header_read_gets_a_bounds_check_before_it()
    {
        const string before = """
            using System.Runtime.InteropServices;
            using Ebpf;
            [StructLayout(LayoutKind.Sequential, Pack = 1)]
            public struct EthHdr { public ulong Dst; public uint Src; public ushort Pad; public ushort Proto; }
            [BpfObject]
            public static unsafe partial class Probe
            {
                static ulong Ip;
                [Xdp] static XdpAction Run(XdpContext ctx)
                {
                    var eth = (EthHdr*)ctx.Data;
                    if (eth->Proto == 8) Ip++;
                    ushort* words = (ushort*)ctx.Data;
                    Ip += words[20];
                    return XdpAction.Pass;
                }
            }
            """;
        var once = before.Replace("""
                    if (eth->Proto == 8) Ip++;
            """, """
                    if (eth + 1 > ctx.DataEnd) return XdpAction.Pass;
                    if (eth->Proto == 8) Ip++;
            """);
        Assert.Equal(once, await ApplyAsync(new PacketBoundsFix(), "EBPF2107", before, all: false));
        var after = once.Replace("""
                    Ip += words[20];
            """, """
                    if ((byte*)words + 42 > ctx.DataEnd) return XdpAction.Pass;
                    Ip += words[20];
            """);
        Assert.Equal(after, await ApplyAsync(new PacketBoundsFix(), "EBPF2107", once));
        AssertBuilds(after);
    }
}
