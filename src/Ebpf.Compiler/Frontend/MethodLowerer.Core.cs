using Ebpf.Btf;
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
    static CoreAccessPath? CoreAccess(IOperation op)
    {
        var fields = new List<IFieldSymbol>();
        var current = op;
        while (current is IFieldReferenceOperation { Field.IsStatic: false, Instance: { } instance } f && IsCoreType(f.Field.ContainingType))
        {
            fields.Add(f.Field);
            if (instance is { Kind: OperationKind.None } deref && deref.ChildOperations.Count == 1
                && deref.ChildOperations.First() is { Type: IPointerTypeSymbol { PointedAtType: INamedTypeSymbol root } } pointer && IsCoreType(root))
            {
                fields.Reverse();
                return new CoreAccessPath(pointer, root, fields);
            }
            current = instance;
        }
        return null;
    }

    /// <summary>Whether the entry program's pointers to kernel types are BTF pointers the verifier lets it load from directly.</summary>
    bool HasBtfPointers => _function.IsEntryProgram
        && _context.Object.Programs.FirstOrDefault(p => SymbolEqualityComparer.Default.Equals(p.Method, _method.OriginalDefinition)) is { Context: ContextKind.Tracing };

    Value CoreValue(BtfCoreRelocationKind kind, ITypeSymbol root, IReadOnlyList<IFieldSymbol> fields, int enumerator, long localValue)
        => _b.Emit(new CoreValueInstruction(new CoreRelocationRequest(kind, root, fields, enumerator, localValue)));

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
