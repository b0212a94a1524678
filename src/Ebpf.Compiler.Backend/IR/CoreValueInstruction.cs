using Ebpf.Btf;
using Ebpf.Compiler.Types;

namespace Ebpf.Compiler.IR;

/// <summary>What a CO-RE relocation asks the loader: <see cref="Kind"/> of the access <see cref="Fields"/> from
/// <see cref="Root"/> (a <c>[CoreType]</c> struct, union or enum), or of enumerator <see cref="EnumeratorIndex"/>.
/// The access string's member indices are chosen when the object's BTF is assembled (they index the local types it
/// emits), so here the path is the members themselves.</summary>
/// <param name="LocalValue">The value for the types the program was compiled with (what runs if nothing patches it).</param>
/// <param name="Bitfield">A <c>[Bitfield]</c> property of the struct <see cref="Fields"/> lead to, the access's last step.</param>
public sealed record CoreRelocationRequest(BtfCoreRelocationKind Kind, DataType Root, IReadOnlyList<StructField> Fields, int EnumeratorIndex, long LocalValue,
    BitfieldMember? Bitfield = null)
{
    public override string ToString() => Kind + " " + RootName + string.Concat(Fields.Select(f => "." + f.Name)) + (Bitfield is null ? "" : "." + Bitfield.Name)
        + (EnumeratorIndex >= 0 ? "#" + EnumeratorIndex : "");

    string RootName => Root switch { StructType s => s.Name, EnumType e => e.Name, _ => Root.DisplayName };
}

/// <summary>A constant the loader patches for the running kernel (a <c>mov</c> carrying a CO-RE relocation). Opaque
/// to the optimizer: its value is not known until load time.</summary>
public sealed class CoreValueInstruction : Instruction
{
    public CoreValueInstruction(CoreRelocationRequest request) : base(IrType.I64) => Request = request;
    public CoreRelocationRequest Request { get; }
    public override string Mnemonic => "core " + Request;
    public override Instruction Clone(Func<Value, Value> map, Func<BasicBlock, BasicBlock> mapBlock, Func<StackSlot, StackSlot> mapSlot)
        => new CoreValueInstruction(Request) { Location = Location };
}
