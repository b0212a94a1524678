using System.Text;

namespace Ebpf.Compiler.IR;

/// <summary>Prints a function in a stable textual form (used by dumps and golden tests). Values and
/// blocks are numbered by position, so the text does not depend on internal ids.</summary>
/// <example>
/// <code>
/// func OnOpenat(%args: ptr.ctx) -> i32
///   slot $pid: 4 bytes, align 4
/// bb0:
///   %0 = call helper 14 GetCurrentPidTgid() : i64
///   %1 = lshr i64 %0, 32
///   br %3, bb1, bb2
/// </code>
/// </example>
public sealed class IrPrinter
{
    readonly Dictionary<Value, string> _names = new();
    readonly Dictionary<BasicBlock, string> _blockNames = new();
    readonly bool _withSource;

    IrPrinter(bool withSource) => _withSource = withSource;

    /// <summary>The function as text; with <paramref name="withSource"/>, each change of C# line is shown as a comment.</summary>
    public static string Print(IrFunction function, bool withSource = false) => new IrPrinter(withSource).PrintFunction(function);

    string PrintFunction(IrFunction f)
    {
        int n = 0;
        for (int b = 0; b < f.Blocks.Count; b++) _blockNames[f.Blocks[b]] = "bb" + b;
        foreach (var block in f.Blocks)
            foreach (var inst in block.Instructions)
                if (!inst.Type.IsVoid) _names[inst] = "%" + n++;

        var sb = new StringBuilder();
        sb.Append("func ").Append(f.Name).Append('(')
          .Append(string.Join(", ", f.Parameters.Select(p => $"%{p.Name}: {p.Type}")))
          .Append(") -> ").Append(f.ReturnType).Append(f.IsEntryProgram ? "  ; entry program" : "").Append('\n');
        foreach (var slot in f.Slots)
            sb.Append("  slot ").Append(slot).Append(": ").Append(slot.Size).Append(" bytes, align ").Append(slot.Alignment).Append('\n');
        SourceLocation? last = null;
        foreach (var block in f.Blocks)
        {
            sb.Append(Name(block)).Append(':');
            if (block.Hint is not null) sb.Append("  ; ").Append(block.Hint);
            if (block.Predecessors.Count > 0)
                sb.Append(block.Hint is null ? "  ; " : ", ").Append("preds ").Append(string.Join(" ", block.Predecessors.Select(Name)));
            sb.Append('\n');
            foreach (var inst in block.Instructions)
            {
                if (_withSource && inst.Location is { } loc && (last is null || loc.Line != last.Line || loc.FilePath != last.FilePath))
                {
                    sb.Append("  ; ").Append(loc.Line).Append(": ").Append(loc.LineText.Trim()).Append('\n');
                    last = loc;
                }
                sb.Append("  ").Append(Format(inst)).Append('\n');
            }
        }
        return sb.ToString();
    }

    string Name(BasicBlock b) => _blockNames.TryGetValue(b, out var s) ? s : "<detached " + b + ">";

    string Ref(Value v) => v switch
    {
        Instruction i => _names.TryGetValue(i, out var s) ? s : "<detached " + i.Mnemonic + ">",
        _ => v.ToString() ?? "?",
    };

    string Format(Instruction inst)
    {
        string def = inst.Type.IsVoid ? "" : Ref(inst) + " = ";
        string body = inst switch
        {
            BinaryInstruction b => $"{b.Mnemonic} {b.Type} {Ref(b.Left)}, {Ref(b.Right)}",
            NegateInstruction n => $"neg {n.Type} {Ref(n.Operand)}",
            ByteSwapInstruction s => $"{s.Mnemonic} {s.Type} {Ref(s.Operand)}",
            CompareInstruction c => $"{c.Mnemonic} {c.Left.Type} {Ref(c.Left)}, {Ref(c.Right)}",
            ConvertInstruction c => $"{c.Mnemonic} {c.Operand.Type} {Ref(c.Operand)} to {c.Type}",
            CopyInstruction c => $"copy {c.Type} {Ref(c.Source)}",
            PointerAddInstruction p => $"ptradd {p.Type} {Ref(p.Pointer)}, {Ref(p.Offset)}",
            FrameAddressInstruction f => $"frameaddr {f.Slot}",
            GlobalAddressInstruction g => $"globaladdr {g.Section}+{g.Offset} ({g.Variable})",
            MapHandleInstruction m => $"map {m.MapName}",
            KernelVariableAddressInstruction k => $"ksym {k.Name}",
            FunctionAddressInstruction f => $"funcaddr {f.Symbol}",
            LoadInstruction l => $"{l.Mnemonic}.{l.Size} {l.Type} [{Ref(l.Address)}{Off(l.Offset)}]",
            StoreInstruction s => $"store.{s.Size} [{Ref(s.Address)}{Off(s.Offset)}], {Ref(s.StoredValue)}",
            AtomicInstruction a => $"{a.Mnemonic}.{a.Size} [{Ref(a.Address)}{Off(a.Offset)}], {Ref(a.Operand)}"
                + (a.Expected is null ? "" : $", expected {Ref(a.Expected)}"),
            HelperCallInstruction { Kfunc: { } k } h => $"call kfunc {k}({Args(h.Operands)}) : {h.Type}",
            HelperCallInstruction h => $"call helper {h.HelperId} {h.Name}({Args(h.Operands)}) : {h.Type}",
            FunctionCallInstruction c => $"call {c.Symbol}({Args(c.Operands)}) : {c.Type}" + (c.MustNotInline ? " noinline" : ""),
            PhiInstruction p => $"phi {p.Type} " + string.Join(", ", p.IncomingBlocks.Select((b, i) => $"[{Name(b)}: {Ref(p.Operands[i])}]")),
            JumpInstruction j => $"jmp {Name(j.Target)}",
            BranchInstruction b => $"br {Ref(b.Condition)}, {Name(b.IfTrue)}, {Name(b.IfFalse)}",
            ReturnInstruction r => r.ReturnValue is null ? "ret" : $"ret {r.ReturnValue.Type} {Ref(r.ReturnValue)}",
            _ => inst.Mnemonic,
        };
        return def + body;
    }

    string Args(IReadOnlyList<Value> args) => string.Join(", ", args.Select(Ref));

    static string Off(int offset) => offset == 0 ? "" : offset > 0 ? $" + {offset}" : $" - {-offset}";
}
