namespace Ebpf.Compiler.IR;

/// <summary>Checks the structural and type rules of the IR, so a pass that breaks them is caught at
/// the pass that did it rather than as a kernel verifier error much later.</summary>
/// <remarks>Rules: every block ends in exactly one terminator and has phis only at its start; phi
/// edges match predecessors; operands are defined in this function and dominate their uses;
/// use-lists are consistent; operand types fit the instruction (integer arithmetic on i32/i64,
/// pointer arithmetic with an i64 offset, i1 branch conditions, return type); and the
/// verifier-facing rules the IR can see: no arithmetic on a map handle or packet end, and context
/// pointers offset only inside loads and stores.</remarks>
public static class IrVerifier
{
    public static IReadOnlyList<string> Verify(IrFunction f)
    {
        var errors = new List<string>();
        void Error(BasicBlock b, Instruction? i, string message)
            => errors.Add($"{f.Name}: {b}{(i is null ? "" : " '" + i.Mnemonic + "'")}: {message}");

        if (f.Blocks.Count == 0) { errors.Add($"{f.Name}: no blocks"); return errors; }
        if (f.Entry.Predecessors.Count > 0) errors.Add($"{f.Name}: the entry block has predecessors");

        var blocks = new HashSet<BasicBlock>(f.Blocks);
        var dom = new DominatorTree(f);
        foreach (var block in f.Blocks)
        {
            var list = block.Instructions;
            if (list.Count == 0 || list[^1] is not Terminator) Error(block, null, "does not end with a terminator");
            bool phisDone = false;
            for (int idx = 0; idx < list.Count; idx++)
            {
                var inst = list[idx];
                if (inst.Block != block) Error(block, inst, "instruction's block link is wrong");
                if (inst is Terminator && idx != list.Count - 1) Error(block, inst, "terminator in the middle of a block");
                if (inst is PhiInstruction phi)
                {
                    if (phisDone) Error(block, inst, "phi after a non-phi instruction");
                    var preds = block.Predecessors.ToHashSet();
                    if (!phi.IncomingBlocks.ToHashSet().SetEquals(preds) || phi.IncomingBlocks.Count != preds.Count)
                        Error(block, inst, $"incoming blocks [{string.Join(" ", phi.IncomingBlocks)}] differ from predecessors [{string.Join(" ", preds)}]");
                }
                else phisDone = true;
                if (inst is Terminator t)
                    foreach (var s in t.Successors)
                        if (!blocks.Contains(s)) Error(block, inst, $"successor {s} is not in the function");

                for (int o = 0; o < inst.Operands.Count; o++)
                {
                    var op = inst.Operands[o];
                    if (!op.Users.Contains(inst)) Error(block, inst, $"operand {o} does not list the instruction as a user");
                    switch (op)
                    {
                        case Instruction def when def.Block is null || def.Block.Function != f:
                            Error(block, inst, $"operand {o} ('{def.Mnemonic}') is not in the function");
                            break;
                        case Instruction def when inst is PhiInstruction p:
                            var from = p.IncomingBlocks[o];
                            if (dom.IsReachable(from) && !dom.Dominates(def.Block!, from))
                                Error(block, inst, $"operand {o} ('{def.Mnemonic}') does not dominate the edge from {from}");
                            break;
                        case Instruction def when dom.IsReachable(block) && !dom.Dominates(def, inst):
                            Error(block, inst, $"operand {o} ('{def.Mnemonic}' in {def.Block}) does not dominate its use");
                            break;
                        case Parameter p when p.Index >= f.Parameters.Count || f.Parameters[p.Index] != p:
                            Error(block, inst, $"operand {o} is another function's parameter");
                            break;
                    }
                }
                foreach (var user in inst.Users)
                    if (user.Block is null) Error(block, inst, $"result is used by a detached '{user.Mnemonic}'");
                CheckTypes(f, block, inst, Error);
            }
        }
        return errors;
    }

    static void CheckTypes(IrFunction f, BasicBlock block, Instruction inst, Action<BasicBlock, Instruction?, string> error)
    {
        void Expect(bool ok, string message) { if (!ok) error(block, inst, message); }
        switch (inst)
        {
            case BinaryInstruction b:
                Expect(b.Type.IsInt && (b.Type.Bits is 32 or 64 || b.Type.IsBool && b.Op is BinaryOp.And or BinaryOp.Or or BinaryOp.Xor),
                    $"{b.Mnemonic} on {b.Type} (arithmetic is on i32 and i64; i1 has and, or, xor)");
                Expect(b.Left.Type == b.Type && b.Right.Type == b.Type, $"operand types {b.Left.Type}, {b.Right.Type} differ from {b.Type}");
                break;
            case NegateInstruction n:
                Expect(n.Type.IsInt && n.Type.Bits is 32 or 64, $"negation of {n.Type}");
                break;
            case ByteSwapInstruction s:
                Expect(s.Type.IsInt && s.Bits is 16 or 32 or 64 && s.Type.Bits >= s.Bits, $"bswap{s.Bits} of {s.Type}");
                break;
            case CompareInstruction c:
                Expect(c.Left.Type == c.Right.Type || (c.Left.Type.IsPointer && c.Right.Type.IsPointer),
                    $"comparison of {c.Left.Type} with {c.Right.Type}");
                Expect(!c.Predicate.IsSigned() || c.Left.Type.IsInt, "signed comparison of pointers");
                break;
            case ConvertInstruction c:
                switch (c.Kind)
                {
                    case ConversionKind.ZeroExtend or ConversionKind.SignExtend:
                        Expect(c.Operand.Type.IsInt && c.Type.IsInt && c.Operand.Type.Bits < c.Type.Bits, $"{c.Mnemonic} {c.Operand.Type} to {c.Type}");
                        break;
                    case ConversionKind.Truncate:
                        Expect(c.Operand.Type.IsInt && c.Type.IsInt && c.Operand.Type.Bits > c.Type.Bits, $"trunc {c.Operand.Type} to {c.Type}");
                        break;
                    case ConversionKind.PointerToInt:
                        Expect(c.Operand.Type.IsPointer && c.Type == IrType.I64, $"ptrtoint {c.Operand.Type} to {c.Type}");
                        break;
                    case ConversionKind.IntToPointer:
                        Expect(c.Operand.Type == IrType.I64 && c.Type.IsPointer, $"inttoptr {c.Operand.Type} to {c.Type}");
                        break;
                    case ConversionKind.PointerCast:
                        Expect(c.Operand.Type.IsPointer && c.Type.IsPointer, $"ptrcast {c.Operand.Type} to {c.Type}");
                        break;
                }
                break;
            case PointerAddInstruction p:
                Expect(p.Pointer.Type.IsPointer && p.Offset.Type == IrType.I64, $"ptradd {p.Pointer.Type}, {p.Offset.Type}");
                Expect(p.Pointer.Type.Pointee is not (PointerKind.MapHandle or PointerKind.PacketEnd),
                    $"the verifier rejects arithmetic on {p.Pointer.Type}");
                if (p.Pointer.Type.Pointee == PointerKind.Context)
                    Expect(p.Offset is Constant && p.Users.All(u => u is LoadInstruction or StoreInstruction),
                        "the context pointer may only be offset by a constant inside a load or store (the verifier rejects a modified ctx pointer)");
                break;
            case LoadInstruction l:
                Expect(l.Address.Type.IsPointer, $"load from {l.Address.Type}");
                Expect(l.Type.IsPointer ? l.Size is 4 or 8 : l.Type.IsInt && l.Size == l.Type.StoreSize, $"load of {l.Size} bytes as {l.Type}");
                Expect(l.Address.Type.Pointee is not (PointerKind.MapHandle or PointerKind.PacketEnd), $"load through {l.Address.Type}");
                break;
            case StoreInstruction s:
                Expect(s.Address.Type.IsPointer, $"store to {s.Address.Type}");
                Expect(s.Size is 1 or 2 or 4 or 8, $"store of {s.Size} bytes");
                Expect(s.Address.Type.Pointee is not (PointerKind.MapHandle or PointerKind.PacketEnd), $"store through {s.Address.Type}");
                break;
            case AtomicInstruction a:
                Expect(a.Size is 4 or 8 && a.Address.Type.IsPointer, $"atomic of {a.Size} bytes on {a.Address.Type}");
                Expect(a.Address.Type.Pointee is not (PointerKind.Context or PointerKind.Packet), $"the verifier rejects atomics on {a.Address.Type}");
                break;
            case PhiInstruction p:
                foreach (var op in p.Operands)
                    Expect(op.Type == p.Type || op.Type.IsPointer && p.Type.IsPointer && p.Type.Pointee == PointerKind.Unknown || op is Constant && op.Type.IsPointer && p.Type.IsPointer,
                        $"phi input {op.Type} differs from {p.Type}");
                break;
            case BranchInstruction b:
                Expect(b.Condition.Type.IsBool, $"branch on {b.Condition.Type}");
                break;
            case ReturnInstruction r:
                Expect(r.ReturnValue is null ? f.ReturnType.IsVoid : r.ReturnValue.Type == f.ReturnType,
                    $"returns {r.ReturnValue?.Type.ToString() ?? "nothing"} from a function returning {f.ReturnType}");
                break;
            case HelperCallInstruction h:
                Expect(h.Operands.Count <= 5, "more than five helper arguments");
                break;
            case FunctionCallInstruction c:
                Expect(c.Operands.Count <= 5, "more than five call arguments");
                break;
        }
    }
}
