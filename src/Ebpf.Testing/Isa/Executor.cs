using Ebpf.Asm;
using Ebpf.Testing.Helpers;
using Ebpf.Testing.Maps;
using Ebpf.Testing.Memory;

namespace Ebpf.Testing.Isa;

/// <summary>Runs one program to its exit: the fetch-execute loop over slots, BPF-to-BPF call frames (each with its own
/// 512-byte stack and R6-R9 preserved for the caller), helper calls and tail calls, within an instruction budget.</summary>
internal sealed class Executor(BpfVm vm)
{
    /// <summary>MAX_CALL_FRAMES in the kernel verifier.</summary>
    const int MaxFrames = 8;
    /// <summary>MAX_BPF_STACK: each frame's stack.</summary>
    public const int StackSize = 512;
    /// <summary>MAX_TAIL_CALL_CNT.</summary>
    const int MaxTailCalls = 33;
    /// <summary>What R1-R5 hold after a call: the verifier forbids reading them, so a program that does reads garbage.</summary>
    const ulong Clobbered = 0xdead_0000_dead_0000;

    sealed record Frame(ProgramImage Image, int ReturnSlot, ulong R6, ulong R7, ulong R8, ulong R9, MemoryRegion Stack);

    // One budget for a run and every callback it makes, as the kernel bounds a program's whole execution.
    long _budget;
    // The call depth of the instruction running now, so a callback's frame counts against MAX_CALL_FRAMES.
    int _depth;
    readonly Dictionary<(ProgramImage, int), MemoryRegion> _functionRegions = new();
    readonly Dictionary<ulong, (ProgramImage Image, int Slot)> _functions = new();

    public ulong Run(ProgramImage entry, ulong r1, ulong r2)
    {
        _budget = vm.InstructionBudget;
        return Execute(entry, 0, [r1, r2], context: r1, baseDepth: 0);
    }

    /// <summary>Calls the BPF function at <paramref name="function"/> (an address from <c>ld_imm64</c> of a callback)
    /// with R1-R5 = <paramref name="arguments"/> in a new frame, as a helper that calls back does; returns its R0.</summary>
    internal ulong Call(ulong function, ReadOnlySpan<ulong> arguments, ulong context, string helper)
    {
        if (!_functions.TryGetValue(function, out var target))
            throw new FaultSignal(FaultKind.InvalidHelperArgument, $"{helper}: argument 0x{function:x} is not a BPF function's address", function);
        int depth = _depth + 1;
        if (depth >= MaxFrames)
            throw new FaultSignal(FaultKind.CallDepth, $"{helper}'s callback would make {depth + 1} frames; the kernel allows {MaxFrames}");
        int caller = _depth;
        try
        {
            return Execute(target.Image, target.Slot, arguments, context, depth);
        }
        finally
        {
            _depth = caller;
        }
    }

    ulong Execute(ProgramImage entry, int entrySlot, ReadOnlySpan<ulong> arguments, ulong context, int baseDepth)
    {
        var regs = new ulong[11];
        for (int i = 0; i < arguments.Length; i++) regs[1 + i] = arguments[i];
        var frames = new List<Frame>();
        var image = entry;
        int pc = entrySlot;
        var stack = NewStack(baseDepth);
        regs[10] = stack.End;
        int tailCalls = 0;
        var memory = vm.Memory;
        try
        {
            while (true)
            {
                if ((uint)pc >= (uint)image.Slots.Length || !image.IsStart[pc])
                    throw new FaultSignal(FaultKind.InvalidInstruction, (uint)pc >= (uint)image.Slots.Length
                        ? $"control reached slot {pc}, outside the program's {image.Slots.Length} slots (a jump out of the program, or no exit)"
                        : $"control reached slot {pc}, the second half of an ld_imm64");
                if (--_budget < 0)
                    throw new FaultSignal(FaultKind.BudgetExhausted, $"the instruction budget of {vm.InstructionBudget:N0} ran out (a runaway loop?); raise vm.InstructionBudget if the program really needs more");
                var insn = image.Slots[pc];
                byte op = insn.OpCode;
                int dst = (int)insn.Dst, src = (int)insn.Src;
                if (dst > 10 || src > 10 && !insn.IsWide && !insn.IsCall)
                    throw new FaultSignal(FaultKind.InvalidInstruction, $"register r{Math.Max(dst, src)} does not exist");
                var cls = OpCodes.Class(op);
                switch (cls)
                {
                    case InstructionClass.Alu:
                    case InstructionClass.Alu64:
                    {
                        CheckWritable(dst);
                        var aluOp = OpCodes.Alu(op);
                        if (aluOp == AluOp.End)
                        {
                            if (insn.Imm is not (16 or 32 or 64)) throw new FaultSignal(FaultKind.InvalidInstruction, $"byte swap of {insn.Imm} bits");
                            regs[dst] = Alu.ByteSwap(cls, OpCodes.Source(op), regs[dst], insn.Imm);
                        }
                        else
                        {
                            if (aluOp > AluOp.Arsh) throw Invalid(op);
                            ulong operand = OpCodes.Source(op) == OperandSource.Reg ? regs[src]
                                : cls == InstructionClass.Alu64 ? (ulong)(long)insn.Imm : (uint)insn.Imm;
                            regs[dst] = cls == InstructionClass.Alu64
                                ? Alu.Alu64(aluOp, regs[dst], operand, insn.Offset)
                                : Alu.Alu32(aluOp, regs[dst], operand, insn.Offset);
                        }
                        pc++;
                        break;
                    }
                    case InstructionClass.Jmp:
                    case InstructionClass.Jmp32:
                    {
                        var jumpOp = OpCodes.Jump(op);
                        switch (jumpOp)
                        {
                            case JumpOp.Ja:
                                pc += 1 + (cls == InstructionClass.Jmp32 ? insn.Imm : insn.Offset);
                                break;
                            case JumpOp.Exit:
                                if (frames.Count == 0) return regs[0];
                                var frame = frames[^1];
                                frames.RemoveAt(frames.Count - 1);
                                memory.Unmap(stack);
                                stack = frame.Stack;
                                (regs[6], regs[7], regs[8], regs[9], regs[10]) = (frame.R6, frame.R7, frame.R8, frame.R9, stack.End);
                                image = frame.Image;
                                pc = frame.ReturnSlot;
                                break;
                            case JumpOp.Call when cls == InstructionClass.Jmp:
                                if (OpCodes.Source(op) == OperandSource.Reg)
                                    throw new FaultSignal(FaultKind.InvalidInstruction, "callx (a call through a register) is not part of the Linux instruction set");
                                if (src == 1)
                                {
                                    if (baseDepth + frames.Count + 1 >= MaxFrames)
                                        throw new FaultSignal(FaultKind.CallDepth, $"a BPF-to-BPF call would make {baseDepth + frames.Count + 2} frames; the kernel allows {MaxFrames}");
                                    frames.Add(new Frame(image, pc + 1, regs[6], regs[7], regs[8], regs[9], stack));
                                    stack = NewStack(baseDepth + frames.Count);
                                    regs[10] = stack.End;
                                    pc += 1 + insn.Imm;
                                    break;
                                }
                                if (src != 0)
                                    throw new FaultSignal(FaultKind.UnknownHelper, $"kfunc call (BTF id {insn.Imm}): kernel functions are not modelled by the interpreter");
                                if (insn.Imm == BpfHelpers.TailCall)
                                {
                                    var target = TailCallTarget(regs, ref tailCalls);
                                    Clobber(regs);
                                    if (target is not null)
                                    {
                                        image = target;
                                        regs[1] = context;
                                        pc = 0;
                                        break;
                                    }
                                    regs[0] = unchecked((ulong)-2L); // -ENOENT: the program continues after a failed tail call
                                    pc++;
                                    break;
                                }
                                _depth = baseDepth + frames.Count;
                                regs[0] = vm.Helpers.Invoke(new HelperCall(insn.Imm, regs, vm, context, this));
                                Clobber(regs);
                                pc++;
                                break;
                            case JumpOp.Jeq: case JumpOp.Jgt: case JumpOp.Jge: case JumpOp.Jset: case JumpOp.Jne:
                            case JumpOp.Jsgt: case JumpOp.Jsge: case JumpOp.Jlt: case JumpOp.Jle: case JumpOp.Jslt: case JumpOp.Jsle:
                            {
                                ulong operand = OpCodes.Source(op) == OperandSource.Reg ? regs[src] : (ulong)(long)insn.Imm;
                                pc += Conditions.Holds(jumpOp, regs[dst], operand, cls == InstructionClass.Jmp) ? 1 + insn.Offset : 1;
                                break;
                            }
                            default:
                                throw Invalid(op);
                        }
                        break;
                    }
                    case InstructionClass.Ld:
                        if (!insn.IsWide)
                            throw new FaultSignal(FaultKind.InvalidInstruction, "legacy packet loads (LD_ABS/LD_IND) are not supported by the interpreter");
                        CheckWritable(dst);
                        regs[dst] = WideConstant(insn, image, pc);
                        pc += 2;
                        break;
                    case InstructionClass.Ldx:
                    {
                        CheckWritable(dst);
                        var mode = OpCodes.Mode(op);
                        int size = OpCodes.SizeInBytes(OpCodes.Size(op));
                        ulong value = memory.Load(regs[src] + (ulong)(long)insn.Offset, size);
                        if (mode == MemMode.MemSx)
                            value = size switch { 1 => (ulong)(long)(sbyte)value, 2 => (ulong)(long)(short)value, 4 => (ulong)(long)(int)value, _ => throw Invalid(op) };
                        else if (mode != MemMode.Mem) throw Invalid(op);
                        regs[dst] = value;
                        pc++;
                        break;
                    }
                    case InstructionClass.St:
                        if (OpCodes.Mode(op) != MemMode.Mem) throw Invalid(op);
                        memory.Store(regs[dst] + (ulong)(long)insn.Offset, OpCodes.SizeInBytes(OpCodes.Size(op)), (ulong)(long)insn.Imm);
                        pc++;
                        break;
                    case InstructionClass.Stx:
                    {
                        var mode = OpCodes.Mode(op);
                        int size = OpCodes.SizeInBytes(OpCodes.Size(op));
                        ulong address = regs[dst] + (ulong)(long)insn.Offset;
                        if (mode == MemMode.Mem) memory.Store(address, size, regs[src]);
                        else if (mode == MemMode.Atomic && size is 4 or 8) Atomic(memory, regs, insn, address, size);
                        else throw Invalid(op);
                        pc++;
                        break;
                    }
                    default:
                        throw Invalid(op);
                }
            }
        }
        catch (FaultSignal signal)
        {
            var text = (uint)pc < (uint)image.Slots.Length ? InstructionFormatter.Format(image.Slots[pc]) : "-";
            throw new InterpreterFault(signal.Kind, image.Name, pc, text, image.SourceAt(pc), signal.Address, signal.Region, signal.Message);
        }
        finally
        {
            memory.Unmap(stack);
            foreach (var frame in frames) memory.Unmap(frame.Stack);
        }
    }

    MemoryRegion NewStack(int depth) => vm.Memory.Map($"stack of frame {depth}", RegionKind.Stack, new byte[StackSize]);

    static void CheckWritable(int dst)
    {
        if (dst == 10) throw new FaultSignal(FaultKind.InvalidInstruction, "r10 (the frame pointer) is read-only");
    }

    static void Clobber(ulong[] regs)
    {
        for (int i = 1; i <= 5; i++) regs[i] = Clobbered;
    }

    static FaultSignal Invalid(byte op) => new(FaultKind.InvalidInstruction, $"opcode 0x{op:x2} is not an instruction");

    /// <summary>The program <c>bpf_tail_call(ctx, map, index)</c> jumps to, or null when the slot is empty, out of
    /// range, or MAX_TAIL_CALL_CNT jumps were made already (the program then continues).</summary>
    ProgramImage? TailCallTarget(ulong[] regs, ref int tailCalls)
    {
        var map = vm.MapAt(regs[2]) as ProgramArrayMap
            ?? throw new FaultSignal(FaultKind.InvalidHelperArgument, $"bpf_tail_call: argument 0x{regs[2]:x} is not a program array", regs[2]);
        var name = map.ProgramAt((uint)regs[3]);
        if (name is null || tailCalls >= MaxTailCalls) return null;
        tailCalls++;
        return vm.ProgramImageOf(name);
    }

    /// <summary>ld_imm64: a plain constant, a callback's address, or (in bare programs) a map or map-value pseudo load
    /// whose imm is the map's index.</summary>
    ulong WideConstant(Instruction insn, ProgramImage image, int pc)
    {
        var source = (PseudoSource)(byte)insn.Src;
        switch (source)
        {
            case PseudoSource.None:
                return (ulong)insn.Constant;
            case PseudoSource.MapFd:
            case PseudoSource.MapIdx:
                return vm.MapByIndex((int)(uint)insn.Constant).Handle.Address;
            case PseudoSource.MapValue:
            case PseudoSource.MapIdxValue:
            {
                var map = vm.MapByIndex((int)(uint)insn.Constant);
                ulong value = map.LookupAddress(new byte[4]);
                if (map is not ArrayTable || value == 0)
                    throw new FaultSignal(FaultKind.InvalidInstruction, $"ld_imm64 of a value of {map}: only array maps have a direct value address");
                return value + (ulong)(insn.Constant >>> 32);
            }
            case PseudoSource.Func:
                return FunctionAddress(image, pc + 1 + insn.Imm);
            case PseudoSource.BtfId:
                throw new FaultSignal(FaultKind.InvalidInstruction, $"ld_imm64 with pseudo source {source} (kernel symbols) is not modelled by the interpreter");
            default:
                throw new FaultSignal(FaultKind.InvalidInstruction, $"ld_imm64 with unknown pseudo source {(byte)source}");
        }
    }

    /// <summary>The address standing for the function at <paramref name="slot"/> of <paramref name="image"/> (BPF_PSEUDO_FUNC:
    /// imm is the offset of its first instruction from the next one).</summary>
    ulong FunctionAddress(ProgramImage image, int slot)
    {
        if ((uint)slot >= (uint)image.Slots.Length || !image.IsStart[slot])
            throw new FaultSignal(FaultKind.InvalidInstruction, $"ld_imm64 of a callback at slot {slot}, outside the program's {image.Slots.Length} slots");
        if (!_functionRegions.TryGetValue((image, slot), out var region))
        {
            region = vm.Memory.Map($"function at slot {slot} of {image.Name}", RegionKind.Function, [], writable: false);
            _functionRegions.Add((image, slot), region);
            _functions.Add(region.Address, (image, slot));
        }
        return region.Address;
    }

    static void Atomic(AddressSpace memory, ulong[] regs, Instruction insn, ulong address, int size)
    {
        int src = (int)insn.Src;
        bool narrow = size == 4;
        ulong operand = narrow ? (uint)regs[src] : regs[src];
        ulong old = memory.Load(address, size);
        var atomicOp = (AtomicOp)insn.Imm;
        ulong result = atomicOp switch
        {
            AtomicOp.Add or AtomicOp.FetchAdd => old + operand,
            AtomicOp.Or or AtomicOp.FetchOr => old | operand,
            AtomicOp.And or AtomicOp.FetchAnd => old & operand,
            AtomicOp.Xor or AtomicOp.FetchXor => old ^ operand,
            AtomicOp.Xchg => operand,
            AtomicOp.CmpXchg => old == (narrow ? (uint)regs[0] : regs[0]) ? operand : old,
            _ => throw new FaultSignal(FaultKind.InvalidInstruction, $"atomic operation 0x{insn.Imm:x} does not exist"),
        };
        memory.Store(address, size, result);
        if (atomicOp == AtomicOp.CmpXchg) regs[0] = old;
        else if (((int)atomicOp & 0x01) != 0) regs[src] = old; // BPF_FETCH (xchg has it too)
    }
}
