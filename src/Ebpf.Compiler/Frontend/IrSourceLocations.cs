using Ebpf.Compiler.Checks;
using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Ebpf.Compiler.Frontend;

/// <summary>Back from IR line info to the Roslyn location of the C# construct it came from: the IR checks' findings as
/// located diagnostics.</summary>
public static class IrSourceLocations
{
    /// <summary><paramref name="finding"/> as the diagnostic of its rule, at the construct of its line info.</summary>
    public static Diagnostic ToDiagnostic(IrFinding finding, Compilation compilation)
    {
        var location = Find(finding.Source, compilation, out string text);
        var arguments = finding.Arguments.Select(a => ReferenceEquals(a, IrFinding.ConstructText) ? text : a).ToArray();
        return Diagnostic.Create(DiagnosticDescriptors.Find(finding.RuleId)!, location, arguments);
    }

    /// <summary>The C# construct at <paramref name="source"/> (an instruction's line info), and its text.</summary>
    public static Location Find(SourceLocation? source, Compilation compilation, out string text)
    {
        text = source?.LineText.Trim() ?? "";
        if (source is null) return Location.None;
        var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == source.FilePath);
        if (tree is null) return Location.None;
        var lines = tree.GetText().Lines;
        if (source.Line < 1 || source.Line > lines.Count) return Location.None;
        var line = lines[source.Line - 1];
        int position = Math.Min(line.Start + Math.Max(0, source.Column - 1), line.End);
        var node = tree.GetRoot().FindToken(position).Parent;
        if (node is null) return Location.Create(tree, new TextSpan(position, 0));
        text = node.ToString();
        return node.GetLocation();
    }
}
