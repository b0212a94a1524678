using Ebpf.Abi;
using Ebpf.Compiler.Backend;
using Ebpf.Compiler.Codegen;
using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ebpf.Compiler.Pipeline;

/// <summary>The verifier's stack and call limits, checked on the compiled functions (frames after register
/// allocation and slot sharing) so the user gets a located error instead of a verifier log: the stack of one
/// function (EBPF2001, at its largest slot's construct) and of a call chain (EBPF2002, at the call that
/// completes the chain), and the depth of a chain (EBPF2003, at that call). Limits from <see cref="AbiLimits"/>.</summary>
static class CallChainLimits
{
    /// <summary>The verifier adds each frame of a chain rounded up to 32 bytes (check_max_stack_depth).</summary>
    const int FrameRounding = 32;

    public static void Check(IReadOnlyList<CompiledFunction> entries, IReadOnlyDictionary<string, CompiledFunction> all,
        Frontend.FunctionIds ids, Compilation compilation, ICollection<Diagnostic> diagnostics)
    {
        foreach (var function in all.Values.Distinct())
            if (FrameTooLarge(function, ids.MethodOf(function.Id), compilation) is { } diagnostic) diagnostics.Add(diagnostic);

        foreach (var entry in entries)
        {
            if (entry.StackSize > AbiLimits.MaxStackBytes) continue;
            var (depth, deepChain) = Heaviest(entry, _ => 1, all, new HashSet<string>(StringComparer.Ordinal));
            var (stack, stackChain) = Heaviest(entry, ChainBytes, all, new HashSet<string>(StringComparer.Ordinal));
            if (depth > AbiLimits.MaxCallFrames)
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.CallChainTooDeep, CompletingCall(deepChain.Take(AbiLimits.MaxCallFrames + 1).ToList(), ids, compilation),
                    Path(deepChain, withBytes: false), depth, AbiLimits.MaxCallFrames));
            if (stack > AbiLimits.MaxStackBytes && stackChain.Count > 1 && stackChain.All(f => f.StackSize <= AbiLimits.MaxStackBytes))
            {
                var largest = stackChain.OrderByDescending(f => f.StackSize).First();
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.CallChainStackTooLarge, CompletingCall(Completing(stackChain), ids, compilation),
                    Path(stackChain, withBytes: true), stack, AbiLimits.MaxStackBytes, largest.Name, largest.Frame?.Breakdown() ?? $"{largest.StackSize} B",
                    "call the deepest functions one after another rather than nested, inline a frame into its caller so slots are shared, or move large data of the largest frame into a per-CPU array map"));
            }
        }
    }

    /// <summary>EBPF2001 for a function whose own frame is over the limit (the code generator reports it as soon
    /// as the frame is known; the pipeline checks functions from other code generators), or null.</summary>
    internal static Diagnostic? FrameTooLarge(CompiledFunction function, IMethodSymbol method, Compilation compilation) =>
        function.StackSize <= AbiLimits.MaxStackBytes ? null
        : Diagnostic.Create(DiagnosticDescriptors.StackTooLarge, WhereLargest(function, method, compilation),
            function.Name, function.StackSize, AbiLimits.MaxStackBytes, function.Frame?.Breakdown() ?? $"{function.StackSize} B", Hint(function));

    static int ChainBytes(CompiledFunction f) => (Math.Max(f.StackSize, 1) + FrameRounding - 1) / FrameRounding * FrameRounding;

    /// <summary>The prefix of <paramref name="chain"/> whose rounded frames first exceed the limit: its last call completes the chain.</summary>
    static List<CompiledFunction> Completing(List<CompiledFunction> chain)
    {
        int total = 0;
        for (int i = 0; i < chain.Count; i++)
        {
            total += ChainBytes(chain[i]);
            if (total > AbiLimits.MaxStackBytes) return chain.Take(Math.Max(i + 1, 2)).ToList();
        }
        return chain;
    }

    /// <summary>Why the frame is large, and the fix for that cause: one large buffer belongs in a map; many
    /// values alive at once need shorter lifetimes or a split.</summary>
    static string Hint(CompiledFunction function)
    {
        var largest = function.Frame?.Slots.FirstOrDefault();
        if (largest is not null && largest.Size * 2 >= AbiLimits.MaxStackBytes)
            return $"move the {largest.Size}-byte '{largest.Name}' into a per-CPU array map (PerCpuArray) and work on its value";
        if (function.Frame is { SpillBytes: > 0 } frame && frame.SpillBytes * 2 >= function.StackSize)
            return "too many values are kept in registers across calls and spilled: compute them where they are used, or split the method ([MethodImpl(MethodImplOptions.NoInlining)] functions called one after another)";
        return "too many values are alive at the same time: end their lifetimes earlier (narrower scopes, no values kept across many calls) or split the method into [MethodImpl(MethodImplOptions.NoInlining)] functions called one after another";
    }

    static string Path(List<CompiledFunction> chain, bool withBytes) =>
        string.Join(" -> ", chain.Select(f => withBytes ? $"{f.Name} ({f.StackSize} B)" : f.Name));

    /// <summary>The call chain from <paramref name="function"/> with the largest total <paramref name="weight"/>
    /// (frames or stack bytes). Recursion is reported elsewhere; a cycle is cut here.</summary>
    static (int Total, List<CompiledFunction> Chain) Heaviest(CompiledFunction function, Func<CompiledFunction, int> weight,
        IReadOnlyDictionary<string, CompiledFunction> all, HashSet<string> onPath)
    {
        (int Total, List<CompiledFunction> Chain) best = (0, new());
        if (onPath.Add(function.Id))
        {
            foreach (var callee in function.Callees)
            {
                if (!all.TryGetValue(callee, out var compiled)) continue;
                var candidate = Heaviest(compiled, weight, all, onPath);
                if (candidate.Total > best.Total) best = candidate;
            }
            onPath.Remove(function.Id);
        }
        var chain = new List<CompiledFunction> { function };
        chain.AddRange(best.Chain);
        return (best.Total + weight(function), chain);
    }

    /// <summary>The call, in the chain's second-to-last function, of its last function.</summary>
    static Location CompletingCall(List<CompiledFunction> chain, Frontend.FunctionIds ids, Compilation compilation)
    {
        if (chain.Count < 2) return Where(ids.MethodOf(chain[0].Id));
        var caller = ids.MethodOf(chain[^2].Id);
        var callee = ids.MethodOf(chain[^1].Id);
        foreach (var reference in caller.DeclaringSyntaxReferences)
        {
            var node = reference.GetSyntax();
            var model = compilation.GetSemanticModel(node.SyntaxTree);
            foreach (var call in node.DescendantNodes().OfType<InvocationExpressionSyntax>())
                if (model.GetSymbolInfo(call).Symbol is IMethodSymbol target
                    && SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, callee.OriginalDefinition))
                    return call.GetLocation();
        }
        return Where(caller);
    }

    /// <summary>The construct of the function's largest stack slot: the local's declarator, the <c>stackalloc</c>,
    /// or the statement that made the temporary; the method when the frame has no located slot.</summary>
    static Location WhereLargest(CompiledFunction function, IMethodSymbol method, Compilation compilation)
    {
        var slot = function.Frame?.Slots.FirstOrDefault(s => s.Source is not null);
        if (slot?.Source is not { } source) return Where(method);
        var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == source.FilePath);
        if (tree is null) return Where(method);
        var text = tree.GetText();
        if (source.Line < 1 || source.Line > text.Lines.Count) return Where(method);
        var line = text.Lines[source.Line - 1];
        int position = Math.Min(line.Start + Math.Max(source.Column - 1, 0), Math.Max(line.End - 1, line.Start));
        var root = tree.GetRoot();
        var statement = root.FindToken(position).Parent?.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault();
        var declaration = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).FirstOrDefault(n => n.SyntaxTree == tree);
        string name = slot.Name.Split('.')[0];
        if (name == "stackalloc")
        {
            var alloc = (statement ?? declaration)?.DescendantNodesAndSelf().OfType<StackAllocArrayCreationExpressionSyntax>().FirstOrDefault();
            if (alloc is not null) return alloc.GetLocation();
        }
        var declarator = declaration?.DescendantNodes().OfType<VariableDeclaratorSyntax>().FirstOrDefault(d => d.Identifier.ValueText == name);
        if (declarator is not null) return declarator.GetLocation();
        return statement?.GetLocation() ?? Where(method);
    }

    static Location Where(IMethodSymbol method) => method.Locations.FirstOrDefault() ?? Location.None;
}
