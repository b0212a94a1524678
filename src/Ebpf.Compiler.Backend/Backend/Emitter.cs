using Ebpf.Asm;
using Ebpf.Btf;
using Ebpf.Compiler.IR;
using Ebpf.Object;

namespace Ebpf.Compiler.Backend;

/// <summary>The final instructions of a function, with its relocations and line info.</summary>
public sealed record EmittedCode(IReadOnlyList<Asm.Instruction> Instructions, IReadOnlyList<Relocation> Relocations, IReadOnlyList<BtfLineInfo> LineInfos)
{
    /// <summary>CO-RE relocations: slot offset from the function start and what the loader computes there.</summary>
    public IReadOnlyList<(int Slot, CoreRelocationRequest Request)> CoreRelocations { get; init; } = [];
}

/// <summary>Emission: lays out the allocated machine blocks, turns branches into fall-throughs where
/// the target is next (inverting conditions when that helps), expands pseudo instructions, and
/// writes <see cref="Ebpf.Asm"/> instructions through <see cref="AsmBuilder"/> with symbolic labels
/// resolved at the end. Records a relocation for each map, global and BPF-to-BPF call, and one
/// line_info record at the first instruction of each new source position.</summary>
/// <remarks>The verifier rejects unreachable instructions, so blocks left unreachable by jump
/// threading here are dropped, and every function ends with <c>exit</c> or a jump.</remarks>
public static class Emitter
{
    public static EmittedCode Emit(MachineFunction f) => new Writer(f).Write(Layout(f));

    /// <summary>The output under construction: instructions, relocations, and line info (one record
    /// wherever the source position changes, at its slot offset).</summary>
    sealed class Writer(MachineFunction f)
    {
        readonly AsmBuilder _builder = new();
        readonly List<Relocation> _relocations = new();
        readonly List<BtfLineInfo> _lines = new();
        readonly List<(int, CoreRelocationRequest)> _core = new();
        int _slot;
        SourceLocation? _lastLine;

        public EmittedCode Write(List<MBlock> order)
        {
            var targeted = order.SelectMany(b => b.Instructions).Where(i => i.Target is not null).Select(i => i.Target!).ToHashSet();
            for (int n = 0; n < order.Count; n++)
            {
                var block = order[n];
                var next = n + 1 < order.Count ? order[n + 1] : null;
                if (targeted.Contains(block)) _builder.Label(Label(block));
                var list = block.Instructions;
                for (int k = 0; k < list.Count; k++)
                {
                    var i = list[k];
                    switch (i.Op)
                    {
                        case MOp.CondJump:
                        {
                            // A conditional jump and the jump after it: fall through to whichever target comes next.
                            var follow = k + 1 < list.Count && list[k + 1].Op == MOp.Jump ? list[k + 1].Target : null;
                            if (follow is not null) k++;
                            var (cond, target) = (i.Cond, i.Target!);
                            if (follow == target)
                            {
                                if (target != next) Jump(Insn.Ja(), target, i.Location);
                                continue;
                            }
                            if (target == next && follow is not null && Inverse(cond) is { } inverted)
                                (cond, target, follow) = (inverted, follow, next);
                            Jump(CondJump(i, cond), target, i.Location);
                            if (follow is not null && follow != next) Jump(Insn.Ja(), follow, i.Location);
                            continue;
                        }
                        case MOp.Jump:
                            if (i.Target != next) Jump(Insn.Ja(), i.Target!, i.Location);
                            continue;
                        case MOp.FrameAddress:
                            Put(Insn.Mov64(Phys(i.Dst), Register.R10), i.Location);
                            Put(Insn.Alu64(AluOp.Add, Phys(i.Dst), i.Off), i.Location);
                            continue;
                        default:
                            if (i.Core is { } core) _core.Add((_slot, core));
                            Put(Lower(i), i.Location, i.Relocation, i.Symbol);
                            continue;
                    }
                }
            }
            var code = _builder.Build();
            return new EmittedCode(code.Instructions, _relocations, _lines) { CoreRelocations = _core };
        }

        void Put(Asm.Instruction insn, SourceLocation? location, RelocationKind? kind = null, string? symbol = null)
        {
            MarkLine(location);
            if (kind is { } k) _relocations.Add(new Relocation(_builder.Count, k, symbol!));
            _builder.Emit(insn);
            _slot += insn.Slots;
        }

        void Jump(Asm.Instruction insn, MBlock target, SourceLocation? location)
        {
            MarkLine(location);
            _builder.EmitJump(insn, Label(target));
            _slot += insn.Slots;
        }

        void MarkLine(SourceLocation? location)
        {
            location ??= _lastLine ?? f.Location;
            if (location is null) return;
            if (_lastLine is not null && location.Line == _lastLine.Line && location.Column == _lastLine.Column && location.FilePath == _lastLine.FilePath) return;
            _lines.Add(new BtfLineInfo(_slot, location.FilePath, location.LineText, location.Line, location.Column));
            _lastLine = location;
        }
    }

    static string Label(MBlock b) => "bb" + b.Id;

    static Register Phys(Reg r) => r.ToRegister();

    static JumpOp? Inverse(JumpOp op) => op switch
    {
        JumpOp.Jeq => JumpOp.Jne, JumpOp.Jne => JumpOp.Jeq,
        JumpOp.Jgt => JumpOp.Jle, JumpOp.Jle => JumpOp.Jgt,
        JumpOp.Jge => JumpOp.Jlt, JumpOp.Jlt => JumpOp.Jge,
        JumpOp.Jsgt => JumpOp.Jsle, JumpOp.Jsle => JumpOp.Jsgt,
        JumpOp.Jsge => JumpOp.Jslt, JumpOp.Jslt => JumpOp.Jsge,
        _ => null,
    };

    static Asm.Instruction CondJump(MInstr i, JumpOp cond)
    {
        if (i.HasSrcReg)
            return i.Is32 ? Insn.Jump32(cond, Phys(i.Dst), Phys(i.Src)) : Insn.Jump(cond, Phys(i.Dst), Phys(i.Src));
        return i.Is32 ? Insn.Jump32(cond, Phys(i.Dst), (int)i.Imm) : Insn.Jump(cond, Phys(i.Dst), (int)i.Imm);
    }

    static Asm.Instruction Lower(MInstr i) => i.Op switch
    {
        MOp.Alu when i.HasSrcReg => i.Is32 ? Insn.Alu32(i.Alu, Phys(i.Dst), Phys(i.Src)) : Insn.Alu64(i.Alu, Phys(i.Dst), Phys(i.Src)),
        MOp.Alu => i.Is32 ? Insn.Alu32(i.Alu, Phys(i.Dst), (int)i.Imm) : Insn.Alu64(i.Alu, Phys(i.Dst), (int)i.Imm),
        MOp.Mov when i.HasSrcReg => i.Is32 ? Insn.Mov32(Phys(i.Dst), Phys(i.Src)) : Insn.Mov64(Phys(i.Dst), Phys(i.Src)),
        MOp.Mov => i.Is32 ? Insn.Mov32(Phys(i.Dst), (int)i.Imm) : Insn.Mov64(Phys(i.Dst), (int)i.Imm),
        MOp.Neg => i.Is32 ? Insn.Neg32(Phys(i.Dst)) : Insn.Neg64(Phys(i.Dst)),
        MOp.ByteSwap => Insn.ToBigEndian(Phys(i.Dst), (int)i.Imm),
        MOp.LoadImm64 => i.Pseudo == PseudoSource.None ? Insn.LoadImm64(Phys(i.Dst), i.Imm) : Insn.LoadPseudo(Phys(i.Dst), i.Pseudo, i.Imm),
        MOp.Load => Insn.Load(i.Size, Phys(i.Dst), Phys(i.Src), i.Off),
        MOp.Store => Insn.Store(i.Size, Phys(i.Dst), i.Off, Phys(i.Src)),
        MOp.StoreImm => Insn.StoreImm(i.Size, Phys(i.Dst), i.Off, (int)i.Imm),
        MOp.Atomic => Insn.Atomic(i.Size, i.Atomic, Phys(i.Dst), i.Off, Phys(i.Src)),
        MOp.Call => i.IsLocalCall ? Insn.CallLocal() : i.IsKfuncCall ? Insn.CallKfunc() : Insn.CallHelper((int)i.Imm),
        MOp.Exit => Insn.Exit(),
        _ => throw new InvalidOperationException($"emission: unexpected {i.Op}"),
    };

    /// <summary>Block order for emission: the allocator's order (reverse postorder from the IR) with
    /// jumps to blocks that only jump threaded to their final target and unreachable blocks dropped.</summary>
    static List<MBlock> Layout(MachineFunction f)
    {
        MBlock Final(MBlock b)
        {
            var seen = new HashSet<MBlock>();
            while (b.Instructions is [{ Op: MOp.Jump } only] && seen.Add(b)) b = only.Target!;
            return b;
        }
        foreach (var b in f.Blocks)
            foreach (var i in b.Instructions)
                if (i.Target is not null) i.Target = Final(i.Target);

        var reachable = new HashSet<MBlock>();
        var work = new Stack<MBlock>();
        work.Push(f.Blocks[0]);
        while (work.Count > 0)
        {
            var b = work.Pop();
            if (!reachable.Add(b)) continue;
            foreach (var s in b.Successors) work.Push(s);
        }
        return f.Blocks.Where(reachable.Contains).ToList();
    }
}
