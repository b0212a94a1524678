using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Checks;

/// <summary>Pointers in optimized IR as the verifier sees constant offsets: a root plus constants.</summary>
public static class PointerOffsets
{
    /// <summary>The constant byte offset of <paramref name="pointer"/> from a value <paramref name="isRoot"/> accepts,
    /// through constant pointer additions, copies and pointer casts; null when some part is not a constant.</summary>
    public static long? FromRoot(Value pointer, Func<Value, bool> isRoot)
    {
        long total = 0;
        for (int depth = 0; depth < 64; depth++)
        {
            if (isRoot(pointer)) return total;
            switch (pointer)
            {
                case PointerAddInstruction add when NullTests.Strip(add.Offset) is Constant c:
                    total += c.Signed;
                    pointer = add.Pointer;
                    break;
                case CopyInstruction or ConvertInstruction { Kind: ConversionKind.PointerCast }:
                    pointer = ((Instruction)pointer).Operands[0];
                    break;
                default: return null;
            }
        }
        return null;
    }
}
