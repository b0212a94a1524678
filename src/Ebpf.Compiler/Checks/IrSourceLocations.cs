using Ebpf.Compiler.IR;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Ebpf.Compiler.Checks;

/// <summary>Back from an IR instruction's line info to the Roslyn location of the C# construct it came from.</summary>
public static class IrSourceLocations
{
    /// <summary>The C# construct the access was lowered from (its line info), and its text.</summary>
    public static Location Find(Instruction access, Compilation compilation, out string text)
    {
        text = access.Location?.LineText.Trim() ?? "";
        if (access.Location is not { } source) return Location.None;
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
