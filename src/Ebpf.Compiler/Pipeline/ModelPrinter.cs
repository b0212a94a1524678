using System.Text;
using Ebpf.Asm;
using Ebpf.Compiler.Codegen;
using Ebpf.Compiler.Output;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Pipeline;

/// <summary>Text forms of the pipeline's intermediate results, for <c>--dump-after</c> and tests.</summary>
public static class ModelPrinter
{
    /// <summary>After discovery: programs, maps and globals of one object.</summary>
    public static string Print(BpfObjectModel model)
    {
        var sb = new StringBuilder($"object {model.Name} (license \"{model.License}\")\n");
        foreach (var p in model.Programs)
            sb.Append($"  program {p.Method.Name}: {p.Kind}, section {p.SectionName}, type {p.Type}, attach {p.ExpectedAttachType}, context {p.Context}{(p.AttachTarget is null ? "" : $", target {p.AttachTarget}")}\n");
        foreach (var m in model.Maps)
            sb.Append($"  map {m.Name}: {m.Type}, key {Display(m.KeyType)} ({m.KeySize} B), value {Display(m.ValueType)} ({m.ValueSize} B), max_entries {m.MaxEntries}, flags 0x{m.Flags:x}, pinning {m.Pinning}\n");
        foreach (var g in model.Globals)
            sb.Append($"  global {g.Name}: {g.Field.Type.ToDisplayString()} at {g.Section}+{g.Offset} ({g.Size} B) = {Convert.ToHexString(g.InitialValue).ToLowerInvariant()}\n");
        return sb.ToString();
    }

    /// <summary>After the rules: the reachable methods and whom each calls.</summary>
    public static string Print(CallGraph graph)
    {
        var sb = new StringBuilder();
        foreach (var method in graph.Methods)
        {
            sb.Append(method.ToDisplayString());
            var callees = graph.CalleesOf(method).Select(c => c.Name).Distinct().ToList();
            sb.Append(callees.Count == 0 ? "\n" : $" -> {string.Join(", ", callees)}\n");
        }
        return sb.ToString();
    }

    /// <summary>After codegen: one function's instructions and relocations (its callees named through <paramref name="ids"/>).</summary>
    public static string Print(CompiledFunction function, Frontend.FunctionIds ids)
    {
        var sb = new StringBuilder($"{function.Name}: {InstructionCodec.SlotCount(function.Instructions)} slots, stack {function.StackSize} B");
        if (function.Callees.Count > 0) sb.Append(", calls ").Append(string.Join(", ", function.Callees.Select(c => ids.MethodOf(c).Name)));
        sb.Append('\n');
        var spec = new Ebpf.Object.ProgramSpec
        {
            Name = function.Name, SectionName = ".text", Instructions = function.Instructions,
            Relocations = function.Relocations, LineInfos = function.LineInfos,
        };
        ObjectPrinter.Disassemble(sb, spec, new ObjectPrinter.Options(HexBytes: false));
        return sb.ToString();
    }

    static string Display(ITypeSymbol? type) => type?.ToDisplayString() ?? "-";
}
