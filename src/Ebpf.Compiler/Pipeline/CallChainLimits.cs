using Ebpf.Compiler.Codegen;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Pipeline;

/// <summary>The verifier's limits on BPF-to-BPF calls, checked on the compiled functions so the user gets a
/// located error instead of a verifier log: 512 bytes of stack per function (EBPF2001) and for a whole
/// call chain (EBPF2002), and at most 8 frames (EBPF2003, MAX_CALL_FRAMES).</summary>
static class CallChainLimits
{
    public const int MaxStack = 512;
    public const int MaxFrames = 8;

    public static void Check(IReadOnlyList<CompiledFunction> entries, IReadOnlyDictionary<IMethodSymbol, CompiledFunction> all, ICollection<Diagnostic> diagnostics)
    {
        foreach (var function in all.Values)
            if (function.StackSize > MaxStack)
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.StackTooLarge, Where(function), function.Name, function.StackSize));

        foreach (var entry in entries)
        {
            var (depth, deepChain) = Heaviest(entry, _ => 1, all, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default));
            var (stack, stackChain) = Heaviest(entry, f => f.StackSize, all, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default));
            if (depth > MaxFrames)
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.CallChainTooDeep, Where(entry), Path(deepChain), depth));
            if (stack > MaxStack && stackChain.Count > 1)
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.CallChainStackTooLarge, Where(entry), Path(stackChain), stack));
        }
    }

    static string Path(List<CompiledFunction> chain) => string.Join(" -> ", chain.Select(f => f.Name));

    /// <summary>The call chain from <paramref name="function"/> with the largest total <paramref name="weight"/>
    /// (frames or stack bytes). Recursion is reported elsewhere; a cycle is cut here.</summary>
    static (int Total, List<CompiledFunction> Chain) Heaviest(CompiledFunction function, Func<CompiledFunction, int> weight,
        IReadOnlyDictionary<IMethodSymbol, CompiledFunction> all, HashSet<IMethodSymbol> onPath)
    {
        (int Total, List<CompiledFunction> Chain) best = (0, new());
        if (onPath.Add(function.Method))
        {
            foreach (var callee in function.Callees)
            {
                if (!all.TryGetValue(callee, out var compiled)) continue;
                var candidate = Heaviest(compiled, weight, all, onPath);
                if (candidate.Total > best.Total) best = candidate;
            }
            onPath.Remove(function.Method);
        }
        var chain = new List<CompiledFunction> { function };
        chain.AddRange(best.Chain);
        return (best.Total + weight(function), chain);
    }

    static Location Where(CompiledFunction function) => function.Method.Locations.FirstOrDefault() ?? Location.None;
}
