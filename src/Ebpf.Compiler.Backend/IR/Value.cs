namespace Ebpf.Compiler.IR;

/// <summary>A value of the SSA IR: the result of an instruction, a constant, a parameter or undef.
/// Every value knows the instructions that use it, so a pass can replace it everywhere in one step.</summary>
public abstract class Value
{
    readonly List<Instruction> _users = new();

    protected Value(IrType type) => Type = type;

    public IrType Type { get; internal set; }

    /// <summary>Instructions that use this value, once per operand slot.</summary>
    public IReadOnlyList<Instruction> Users => _users;

    public bool HasUsers => _users.Count > 0;

    internal void AddUser(Instruction user) => _users.Add(user);
    internal void RemoveUser(Instruction user) => _users.Remove(user);

    /// <summary>Makes every user of this value use <paramref name="replacement"/> instead.</summary>
    public void ReplaceAllUsesWith(Value replacement)
    {
        if (ReferenceEquals(replacement, this)) return;
        foreach (var user in _users.ToArray()) user.ReplaceOperand(this, replacement);
    }
}

/// <summary>An integer or null-pointer constant. <see cref="Bits"/> holds the value zero-extended
/// from the type's width, which is also how it sits in a register.</summary>
public sealed class Constant : Value
{
    Constant(IrType type, ulong bits) : base(type) => Bits = bits & type.Mask;

    public ulong Bits { get; }

    /// <summary>The value read as a signed number of the type's width.</summary>
    public long Signed => Type.Bits >= 64 ? (long)Bits : (long)(Bits << (64 - Type.Bits)) >> (64 - Type.Bits);

    public bool IsZero => Bits == 0;

    public static Constant Int(IrType type, long value)
    {
        if (!type.IsInt) throw new ArgumentException($"not an integer type: {type}", nameof(type));
        return new Constant(type, (ulong)value);
    }

    public static Constant Int(IrType type, ulong value) => Int(type, (long)value);
    public static Constant Bool(bool value) => new(IrType.I1, value ? 1UL : 0UL);
    public static Constant Null(IrType pointerType) => new(pointerType, 0);

    public override string ToString() => Type.IsPointer ? "null" : Type.IsBool ? (Bits != 0 ? "true" : "false") : Signed.ToString();
}

/// <summary>A value with no defined content (a local read before any write on some path). Instruction
/// selection materializes it as zero, so the verifier never sees an uninitialized register.</summary>
public sealed class UndefinedValue : Value
{
    public UndefinedValue(IrType type) : base(type) { }
    public override string ToString() => "undef";
}

/// <summary>A function parameter: the context pointer of an entry program (R1), or an argument of a
/// sub-program (R1-R5).</summary>
public sealed class Parameter : Value
{
    public Parameter(int index, string name, IrType type) : base(type)
    {
        Index = index;
        Name = name;
    }

    public int Index { get; }
    public string Name { get; }
    public override string ToString() => "%" + Name;
}

/// <summary>A position in the C# source: becomes a BTF line_info record for the first instruction
/// generated from it.</summary>
public sealed record SourceLocation(string FilePath, int Line, int Column, string LineText)
{
    public override string ToString() => $"{Path.GetFileName(FilePath)}:{Line}:{Column}";
}
