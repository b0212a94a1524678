using Ebpf.Compiler.IR;

namespace Ebpf.Compiler.Checks;

/// <summary>Reading NULL tests of a helper's pointer result in optimized IR, as the verifier reads them: a branch on the
/// pointer compared with 0 marks it non-NULL on one edge.</summary>
public static class NullTests
{
    /// <summary><c>result ==/!= NULL</c>, possibly negated by a comparison of that with false.</summary>
    public static bool TryRead(Value condition, Instruction result, out bool trueMeansNonNull)
    {
        trueMeansNonNull = false;
        if (Strip(condition) is not CompareInstruction { Predicate: Predicate.Eq or Predicate.Ne } compare) return false;
        bool equal = compare.Predicate == Predicate.Eq;
        if (Strip(compare.Right) is Constant { IsZero: true } && Strip(compare.Left) is var left)
        {
            if (left == result) { trueMeansNonNull = !equal; return true; }
            // (result == NULL) == false, as `!Unsafe.IsNullRef(ref x)` may read.
            if (TryRead(left, result, out bool inner)) { trueMeansNonNull = equal ? !inner : inner; return true; }
        }
        if (Strip(compare.Left) is Constant { IsZero: true } && Strip(compare.Right) == result) { trueMeansNonNull = !equal; return true; }
        return false;
    }

    /// <summary>Whether <paramref name="value"/> is computed from <paramref name="result"/> (not through phis).</summary>
    public static bool DependsOn(Value value, Instruction result, int depth)
    {
        if (value == result) return true;
        if (depth > 8 || value is not Instruction instruction || instruction is PhiInstruction) return false;
        return instruction.Operands.Any(o => DependsOn(o, result, depth + 1));
    }

    /// <summary>The value under copies and conversions that keep it the same pointer or truth value.</summary>
    public static Value Strip(Value value)
    {
        while (value is CopyInstruction copy || value is ConvertInstruction { Kind: ConversionKind.PointerCast or ConversionKind.ZeroExtend or ConversionKind.Truncate })
            value = ((Instruction)value).Operands[0];
        return value;
    }
}
