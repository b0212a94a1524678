namespace Ebpf.Compiler.IR;

/// <summary>Appends instructions to a current block, stamping each with the current source location,
/// and folds constant expressions as it builds (so the frontend never emits <c>add 1, 2</c>).</summary>
public sealed class IrBuilder
{
    public IrBuilder(IrFunction function)
    {
        Function = function;
        Block = function.Blocks.Count > 0 ? function.Entry : function.AddBlock("entry");
    }

    public IrFunction Function { get; }
    /// <summary>Where instructions go.</summary>
    public BasicBlock Block { get; set; }
    /// <summary>Given to every instruction built from now on.</summary>
    public SourceLocation? Location { get; set; }

    /// <summary>True when the current block already ends in a terminator (code after a return).</summary>
    public bool IsTerminated => Block.Terminator is not null;

    public T Emit<T>(T instruction) where T : Instruction
    {
        instruction.Location ??= Location;
        return Block.Append(instruction);
    }

    Value Fold(Instruction inst)
    {
        if (ConstantFolder.TryFold(inst) is { } c)
        {
            inst.DropOperands();
            return c;
        }
        return Emit(inst);
    }

    public static Constant Int(IrType type, long value) => Constant.Int(type, value);

    public Value Binary(BinaryOp op, Value left, Value right) => Fold(new BinaryInstruction(op, left, right));
    public Value Negate(Value operand) => Fold(new NegateInstruction(operand));
    public Value ByteSwap(Value operand, int bits) => Fold(new ByteSwapInstruction(operand, bits));
    public Value Compare(Predicate p, Value left, Value right) => Fold(new CompareInstruction(p, left, right));

    /// <summary>Converts between integer widths (extending by sign when <paramref name="signed"/>) or
    /// between integers and pointers; a no-op when the types already agree.</summary>
    public Value Convert(Value value, IrType to, bool signed)
    {
        var from = value.Type;
        if (from == to) return value;
        if (from.IsInt && to.IsInt)
        {
            if (from.Bits < to.Bits)
                return Fold(new ConvertInstruction(signed ? ConversionKind.SignExtend : ConversionKind.ZeroExtend, value, to));
            return Fold(new ConvertInstruction(ConversionKind.Truncate, value, to));
        }
        if (from.IsPointer && to.IsPointer) return Fold(new ConvertInstruction(ConversionKind.PointerCast, value, to));
        if (from.IsPointer && to.IsInt)
        {
            var wide = Fold(new ConvertInstruction(ConversionKind.PointerToInt, value, IrType.I64));
            return to.Bits == 64 ? wide : Convert(wide, to, signed);
        }
        if (from.IsInt && to.IsPointer)
        {
            var wide = Convert(value, IrType.I64, signed);
            return Fold(new ConvertInstruction(ConversionKind.IntToPointer, wide, to));
        }
        throw new InvalidOperationException($"cannot convert {from} to {to}");
    }

    /// <summary><c>pointer + offset</c>; constant zero offsets vanish and constant offsets accumulate.</summary>
    public Value PointerAdd(Value pointer, Value offset)
    {
        if (offset is Constant { IsZero: true }) return pointer;
        if (offset is Constant c2 && pointer is PointerAddInstruction { Offset: Constant c1 } inner)
            return Emit(new PointerAddInstruction(inner.Pointer, Int(IrType.I64, c1.Signed + c2.Signed)));
        return Emit(new PointerAddInstruction(pointer, offset));
    }

    public Value PointerAdd(Value pointer, long offset) => PointerAdd(pointer, Int(IrType.I64, offset));

    public Value Load(Value address, int offset, IrType type, int size) => Emit(new LoadInstruction(address, offset, type, size));
    public void Store(Value address, int offset, Value value, int size) => Emit(new StoreInstruction(address, offset, value, size));
    public Value FrameAddress(StackSlot slot) => Emit(new FrameAddressInstruction(slot));

    public void Jump(BasicBlock target) => Emit(new JumpInstruction(target));

    /// <summary>A conditional branch; a constant condition becomes a jump.</summary>
    public void Branch(Value condition, BasicBlock ifTrue, BasicBlock ifFalse)
    {
        if (condition is Constant c) Jump(c.IsZero ? ifFalse : ifTrue);
        else if (ifTrue == ifFalse) Jump(ifTrue);
        else Emit(new BranchInstruction(condition, ifTrue, ifFalse));
    }

    public void Return(Value? value) => Emit(new ReturnInstruction(value));
}
