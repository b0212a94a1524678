using Ebpf.Btf;
using Ebpf.Btf.Core;
using Ebpf.Compiler.IR;
using Ebpf.Rules.Model;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Compiler.Frontend;

// CO-RE: reads through pointers to kernel types ([CoreType], from `ebpf gen vmlinux`) and the Bpf.Core* queries.
//
//   task->real_parent->tgid   ==>   off1 = core FIELD_BYTE_OFFSET task_struct.real_parent    (mov, patched at load)
//                                   p    = read8(task + off1)
//                                   off2 = core FIELD_BYTE_OFFSET task_struct.tgid
//                                   v    = read4(p + off2)
//
// read is a direct load where the verifier types the pointer with BTF (a tracing program's arguments) and
// bpf_probe_read_kernel into a stack temporary elsewhere, as libbpf's BPF_CORE_READ does. Each `->` is one
// relocation; `.` steps inside one struct extend its access path (task->se.vruntime is "0:se:vruntime").
internal sealed partial class MethodLowerer
{
    const int ProbeReadKernelHelper = 113;

    /// <summary>A member access through a pointer to a kernel type: the pointer expression, its pointed-at type and
    /// the fields from there to the accessed member.</summary>
    sealed record CoreAccessPath(IOperation Pointer, INamedTypeSymbol Root, List<IFieldSymbol> Fields);

    static bool IsCoreType(ITypeSymbol? type) => type is INamedTypeSymbol named && KernelApi.CoreTypeName(named) is not null;

    /// <summary>The access path of <paramref name="op"/> when it reads a member of a kernel type through a pointer.</summary>
    static CoreAccessPath? CoreAccess(IOperation op) => op is IFieldReferenceOperation ? CorePath(op) : null;

    /// <summary>The access path from a pointer to a kernel type through <c>.</c> steps ending at <paramref name="op"/>, which
    /// is the dereferenced pointer itself (no fields) or a field of a kernel type inside it.</summary>
    static CoreAccessPath? CorePath(IOperation op)
    {
        var fields = new List<IFieldSymbol>();
        var current = op;
        while (true)
        {
            if (current is { Kind: OperationKind.None } deref && deref.ChildOperations.Count == 1
                && deref.ChildOperations.First() is { Type: IPointerTypeSymbol { PointedAtType: INamedTypeSymbol root } } pointer && IsCoreType(root))
            {
                fields.Reverse();
                return new CoreAccessPath(pointer, root, fields);
            }
            if (current is not IFieldReferenceOperation { Field.IsStatic: false, Instance: { } instance } f || !IsCoreType(f.Field.ContainingType)) return null;
            fields.Add(f.Field);
            current = instance;
        }
    }

    /// <summary>Whether the entry program's pointers to kernel types are BTF pointers the verifier lets it load from directly.</summary>
    bool HasBtfPointers => _function.IsEntryProgram
        && _context.Object.Programs.FirstOrDefault(p => SymbolEqualityComparer.Default.Equals(p.Method, _method.OriginalDefinition)) is { Context: ContextKind.Tracing };

    Value CoreValue(BtfCoreRelocationKind kind, ITypeSymbol root, IReadOnlyList<IFieldSymbol> fields, int enumerator, long localValue,
        IPropertySymbol? bitfield = null)
        => _b.Emit(new CoreValueInstruction(new CoreRelocationRequest(kind, _context.Types.Of(root),
            fields.Select(f => (Types.StructField)_context.Types.Member(f)).ToList(), enumerator, localValue,
            bitfield is null ? null : (Types.BitfieldMember)_context.Types.Member(bitfield))));

    /// <summary>The byte offset of the access path in the types as compiled (what FIELD_BYTE_OFFSET starts as).</summary>
    int LocalOffset(CoreAccessPath path, SyntaxNode at)
    {
        int offset = 0;
        ITypeSymbol type = path.Root;
        foreach (var field in path.Fields)
        {
            var layout = LayoutOf(type, at);
            var placed = layout.Find(field) ?? throw Unsupported(at, $"field '{field.Name}' (not in the layout of '{type.Name}')");
            offset += placed.Offset;
            type = field.Type;
        }
        return offset;
    }

    /// <summary>The address of the accessed member (the pointer plus its relocated offset), and whether the pointer is one
    /// the verifier lets the program load from directly (a BTF-typed argument of a tracing program).</summary>
    (Value Address, bool Direct) CoreAddress(CoreAccessPath path, SyntaxNode at)
    {
        var pointer = LowerValue(path.Pointer);
        var offset = CoreValue(BtfCoreRelocationKind.FieldByteOffset, path.Root, path.Fields, -1, LocalOffset(path, at));
        return (_b.PointerAdd(pointer, offset), HasBtfPointers && pointer.Type.Pointee == PointerKind.Kernel);
    }

    /// <summary>A read of a kernel-type member through a pointer (a scalar or pointer field), or the address of a fixed buffer member.</summary>
    bool TryLowerCoreRead(IOperation op, out Value value)
    {
        value = null!;
        if (op is not IFieldReferenceOperation field || CoreAccess(op) is not { } path) return false;
        if (field.Field.IsFixedSizeBuffer)
        {
            value = CoreAddress(path, op.Syntax).Address; // a fixed buffer as a value is its address (comm for bpf_probe_read_kernel_str)
            return true;
        }
        var type = ScalarType(field.Type!, op.Syntax);
        var (address, direct) = CoreAddress(path, op.Syntax);
        int size = type.StoreSize;
        // A pointer read directly from a BTF pointer is one too (PTR_TO_BTF_ID); one read by the helper is a number.
        var loaded = type.IsPointer ? IrType.Pointer(direct ? PointerKind.Kernel : PointerKind.Unknown) : type;
        if (direct)
        {
            value = _b.Load(address, 0, loaded, size);
            return true;
        }
        var temp = TempPlace(field.Type!, "core", op.Syntax);
        _b.Emit(new HelperCallInstruction(ProbeReadKernelHelper, "probe_read_kernel", IrType.I64,
            new[] { temp.Base, Constant.Int(IrType.I32, size), address }));
        value = _b.Load(temp.Base, temp.Offset, loaded, size);
        return true;
    }

    /// <summary>The access path to the struct holding <paramref name="op"/>'s bit-field, and the load that reads it in the
    /// types as compiled (what the relocated values start as); null when <paramref name="op"/> is not a <c>[Bitfield]</c>
    /// property of a kernel type reached through a pointer.</summary>
    (CoreAccessPath Path, CoreBitfieldLoad Load)? CoreBitfieldAccess(IPropertyReferenceOperation op)
    {
        if (op.Instance is null || KernelApi.Bitfield(op.Property) is not { } bits || !IsCoreType(op.Property.ContainingType)
            || CorePath(op.Instance) is not { } path)
            return null;
        long bitOffset = LocalOffset(path, op.Syntax) * 8L + bits.BitOffset;
        var load = CoreBitfieldLoad.Of(bitOffset, bits.BitSize, SizeOf(op.Property.Type, op.Syntax))
            ?? throw Unsupported(op.Syntax, $"bit-field '{op.Property.Name}', which no 8-byte load holds");
        return (path, load);
    }

    /// <summary>A <c>[Bitfield]</c> property of a kernel type read through a pointer (<c>task->in_execve</c>), as libbpf's
    /// BPF_CORE_READ_BITFIELD does: the relocated FIELD_BYTE_SIZE bytes at the relocated FIELD_BYTE_OFFSET, shifted left by
    /// FIELD_LSHIFT_U64, then right by FIELD_RSHIFT_U64, arithmetically when FIELD_SIGNED says so. Each is a constant
    /// the loader patches, so the verifier follows only the branches of the running kernel's load size and signedness.
    /// The load is direct from a BTF pointer, else <c>bpf_probe_read_kernel</c> into a zeroed 8-byte temporary
    /// (BPF_CORE_READ_BITFIELD_PROBED).</summary>
    bool TryLowerCoreBitfieldRead(IPropertyReferenceOperation op, out Value value)
    {
        value = null!;
        if (CoreBitfieldAccess(op) is not (var path, var load)) return false;
        bool signed = IsSigned(op.Property.Type);
        Value Relocated(BtfCoreRelocationKind kind, long local) => CoreValue(kind, path.Root, path.Fields, -1, local, op.Property);

        var pointer = LowerValue(path.Pointer);
        var address = _b.PointerAdd(pointer, Relocated(BtfCoreRelocationKind.FieldByteOffset, load.ByteOffset));
        var size = Relocated(BtfCoreRelocationKind.FieldByteSize, load.ByteSize);
        Value raw;
        if (HasBtfPointers && pointer.Type.Pointee == PointerKind.Kernel)
        {
            var join = _function.AddBlock("bitfield_loaded");
            var phi = new PhiInstruction(IrType.I64) { Location = _b.Location };
            foreach (int bytes in new[] { 1, 2, 4 })
            {
                var sized = _function.AddBlock($"bitfield_load{bytes}");
                var next = _function.AddBlock("bitfield_size");
                _b.Branch(_b.Compare(IR.Predicate.Eq, size, Constant.Int(IrType.I64, bytes)), sized, next);
                _b.Block = sized;
                phi.AddIncoming(sized, _b.Convert(_b.Load(address, 0, IrType.Int(bytes * 8), bytes), IrType.I64, signed: false));
                _b.Jump(join);
                _b.Block = next;
            }
            phi.AddIncoming(_b.Block, _b.Load(address, 0, IrType.I64, 8));
            _b.Jump(join);
            _b.Block = join;
            raw = join.InsertPhi(phi);
        }
        else
        {
            var temp = TempPlace(_context.Compilation.GetSpecialType(SpecialType.System_UInt64), "bitfield", op.Syntax);
            _b.Store(temp.Base, temp.Offset, Constant.Int(IrType.I64, 0), 8);
            _b.Emit(new HelperCallInstruction(ProbeReadKernelHelper, "probe_read_kernel", IrType.I64, new[] { temp.Base, size, address }));
            raw = _b.Load(temp.Base, temp.Offset, IrType.I64, 8);
        }
        var shifted = _b.Binary(BinaryOp.Shl, raw, Relocated(BtfCoreRelocationKind.FieldLShiftU64, load.LeftShift));
        var isSigned = Relocated(BtfCoreRelocationKind.FieldSigned, signed ? 1 : 0);
        var rightShift = Relocated(BtfCoreRelocationKind.FieldRShiftU64, load.RightShift);
        var arithmetic = _function.AddBlock("bitfield_signed");
        var logical = _function.AddBlock("bitfield_unsigned");
        var done = _function.AddBlock("bitfield_value");
        _b.Branch(_b.Compare(IR.Predicate.Ne, isSigned, Constant.Int(IrType.I64, 0)), arithmetic, logical);
        var result = new PhiInstruction(IrType.I64) { Location = _b.Location };
        _b.Block = arithmetic;
        result.AddIncoming(arithmetic, _b.Binary(BinaryOp.AShr, shifted, rightShift));
        _b.Jump(done);
        _b.Block = logical;
        result.AddIncoming(logical, _b.Binary(BinaryOp.LShr, shifted, rightShift));
        _b.Jump(done);
        _b.Block = done;
        value = _b.Convert(done.InsertPhi(result), ScalarType(op.Property.Type, op.Syntax), signed);
        return true;
    }

    /// <summary><c>Bpf.CoreFieldExists(in task->x)</c> and the other <c>[CoreRelocation]</c> queries.</summary>
    bool TryLowerCoreIntrinsic(IInvocationOperation inv, out Value? value)
    {
        value = null;
        if (KernelApi.CoreRelocationKind(inv.TargetMethod) is not { } kindNumber) return false;
        var kind = (BtfCoreRelocationKind)kindNumber;
        Value result;
        switch (kind)
        {
            case BtfCoreRelocationKind.FieldExists or BtfCoreRelocationKind.FieldByteSize or BtfCoreRelocationKind.FieldByteOffset
                or BtfCoreRelocationKind.FieldSigned:
            {
                var argument = inv.Arguments[^1].Value;
                if (argument is IPropertyReferenceOperation property && CoreBitfieldAccess(property) is (var bitfieldPath, var load))
                {
                    // A bit-field (passed without `in`: a property is no variable): libbpf's values for it.
                    long bitfieldLocal = kind switch
                    {
                        BtfCoreRelocationKind.FieldExists => 1,
                        BtfCoreRelocationKind.FieldByteSize => load.ByteSize,
                        BtfCoreRelocationKind.FieldSigned => IsSigned(property.Property.Type) ? 1 : 0,
                        _ => load.ByteOffset,
                    };
                    result = CoreValue(kind, bitfieldPath.Root, bitfieldPath.Fields, -1, bitfieldLocal, property.Property);
                    break;
                }
                var path = CoreAccess(argument) ?? throw Error(DiagnosticDescriptors.CoreFieldAccessExpected, argument.Syntax, inv.TargetMethod.Name, argument.Syntax.ToString());
                long local = kind switch
                {
                    BtfCoreRelocationKind.FieldExists => 1,
                    BtfCoreRelocationKind.FieldByteSize => SizeOf(((IFieldReferenceOperation)argument).Field.Type, argument.Syntax),
                    BtfCoreRelocationKind.FieldSigned => IsSigned(((IFieldReferenceOperation)argument).Field.Type) ? 1 : 0,
                    _ => LocalOffset(path, argument.Syntax),
                };
                result = CoreValue(kind, path.Root, path.Fields, -1, local);
                break;
            }
            case BtfCoreRelocationKind.TypeExists or BtfCoreRelocationKind.TypeSize or BtfCoreRelocationKind.TypeMatches
                or BtfCoreRelocationKind.TypeIdLocal or BtfCoreRelocationKind.TypeIdTarget:
            {
                var type = Resolve(inv.TargetMethod.TypeArguments[0]);
                if (!IsCoreType(type)) throw Error(DiagnosticDescriptors.CoreTypeExpected, inv.Syntax, inv.TargetMethod.Name, type.ToDisplayString());
                long local = kind == BtfCoreRelocationKind.TypeSize ? SizeOf(type, inv.Syntax) : 1;
                result = CoreValue(kind, type, [], -1, local);
                break;
            }
            case BtfCoreRelocationKind.EnumValueExists or BtfCoreRelocationKind.EnumValue:
            {
                var argument = inv.Arguments[^1].Value;
                while (argument is IConversionOperation { IsImplicit: true } c) argument = c.Operand;
                if (argument is not IFieldReferenceOperation { Field: { HasConstantValue: true, ContainingType: { TypeKind: TypeKind.Enum } enumType } enumerator }
                    || !IsCoreType(enumType))
                    throw Error(DiagnosticDescriptors.CoreEnumeratorExpected, argument.Syntax, inv.TargetMethod.Name, argument.Syntax.ToString());
                int index = enumType.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).ToList()
                    .FindIndex(f => SymbolEqualityComparer.Default.Equals(f, enumerator));
                long local = kind == BtfCoreRelocationKind.EnumValueExists ? 1 : Convert.ToInt64(enumerator.ConstantValue is ulong u ? unchecked((long)u) : enumerator.ConstantValue);
                result = CoreValue(kind, enumType, [], index, local);
                break;
            }
            default:
                throw Unsupported(inv.Syntax, $"the CO-RE query {kind}");
        }
        var returnType = ScalarType(inv.TargetMethod.ReturnType, inv.Syntax);
        value = returnType.IsBool ? _b.Compare(IR.Predicate.Ne, result, Constant.Int(IrType.I64, 0)) : _b.Convert(result, returnType, signed: true);
        return true;
    }
}
