using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Compiler.Frontend;

// Span<T> and ReadOnlySpan<T> locals: a pointer and a length in a 16-byte slot (pointer at 0, int
// length at 8), over stackalloc memory, fixed buffers (new Span<T>(p, n)) or "..."u8 literals.
internal sealed partial class MethodLowerer
{
    const int SpanSize = 16, SpanLengthOffset = 8;

    /// <summary>The verifier kind of the pointer each span slot holds, so reading it back keeps it.</summary>
    readonly Dictionary<StackSlot, IrType> _spanKinds = new();

    static bool IsSpan(ITypeSymbol? type) => type is INamedTypeSymbol { IsGenericType: true } named
        && named.OriginalDefinition.ToDisplayString() is "System.Span<T>" or "System.ReadOnlySpan<T>";

    static bool IsReadOnlySpan(ITypeSymbol type) => type.OriginalDefinition.ToDisplayString() == "System.ReadOnlySpan<T>";

    static ITypeSymbol SpanElement(ITypeSymbol span) => ((INamedTypeSymbol)span).TypeArguments[0];

    /// <summary>The pointer and the (32-bit) length of a span-valued expression.</summary>
    (Value Pointer, Value Length) LowerSpan(IOperation op)
    {
        var element = SpanElement(op.Type!);
        switch (op)
        {
            case IConversionOperation { OperatorMethod.ContainingType: var t, Operand: var operand } when IsSpan(t) && IsSpan(operand.Type):
                return LowerSpan(operand); // Span<T> -> ReadOnlySpan<T>
            case IConversionOperation { OperatorMethod: null, Operand: var operand } when IsSpan(operand.Type):
                return LowerSpan(operand);
            case IUtf8StringOperation utf8:
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(utf8.Value);
                var (address, _) = BytesOnStack(bytes, "u8");
                return (address, Constant.Int(IrType.I32, bytes.Length));
            }
            case { Kind: OperationKind.None, Syntax: StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax }:
            {
                var count = op.ChildOperations.FirstOrDefault();
                if (count?.ConstantValue is not { HasValue: true, Value: int n } || n <= 0)
                    throw Error(DiagnosticDescriptors.NonConstantStackalloc, op.Syntax, op.Syntax.ToString());
                return (StackAllocation(n * SizeOf(element, op.Syntax)), Constant.Int(IrType.I32, n));
            }
            case IObjectCreationOperation { Arguments: [var pointer, var length] } creation when pointer.Value.Type is IPointerTypeSymbol:
                // new Span<T>(void* pointer, int length)
                _ = creation;
                return (LowerValue(pointer.Value), ConvertScalar(LowerValue(length.Value), IrType.I32, length.Value.Type, length.Syntax));
            case IInvocationOperation { TargetMethod.Name: "Slice", Instance: { } receiver } slice when IsSpan(receiver.Type):
            {
                var (pointer, length) = LowerSpan(receiver);
                var start = ConvertScalar(LowerValue(slice.Arguments[0].Value), IrType.I32, slice.Arguments[0].Value.Type, slice.Syntax);
                var offset = _b.Binary(BinaryOp.Mul, _b.Convert(start, IrType.I64, signed: false), Constant.Int(IrType.I64, SizeOf(element, slice.Syntax)));
                var newLength = slice.Arguments.Length > 1
                    ? ConvertScalar(LowerValue(slice.Arguments[1].Value), IrType.I32, slice.Arguments[1].Value.Type, slice.Syntax)
                    : _b.Binary(BinaryOp.Sub, length, start);
                return (_b.PointerAdd(pointer, offset), newLength);
            }
            case IDefaultValueOperation:
                return (Constant.Null(IrType.Pointer(PointerKind.Stack)), Constant.Int(IrType.I32, 0));
            default:
            {
                var place = LowerPlace(op);
                var kind = place is { Base: FrameAddressInstruction frame, Offset: 0 } && _spanKinds.TryGetValue(frame.Slot, out var k)
                    ? k : IrType.Pointer(PointerKind.Unknown);
                return (_b.Load(place.Base, place.Offset, kind, 8), _b.Load(place.Base, place.Offset + SpanLengthOffset, IrType.I32, 4));
            }
        }
    }

    /// <summary><c>span = value</c>: the pointer and length stored in the span's slot.</summary>
    void StoreSpan(Place target, IOperation value)
    {
        var (pointer, length) = LowerSpan(value);
        if (target is { Base: FrameAddressInstruction frame, Offset: 0 })
            _spanKinds[frame.Slot] = _spanKinds.TryGetValue(frame.Slot, out var known) && known != pointer.Type ? IrType.Pointer(PointerKind.Unknown) : pointer.Type;
        _b.Store(target.Base, target.Offset, pointer, 8);
        _b.Store(target.Base, target.Offset + SpanLengthOffset, length, 4);
    }

    /// <summary><c>span[i]</c>: the element's place (no bounds check beyond the verifier's own on the memory behind it).</summary>
    Place SpanElementPlace(IPropertyReferenceOperation indexer)
    {
        var (pointer, _) = LowerSpan(indexer.Instance!);
        var element = SpanElement(indexer.Instance!.Type!);
        var index = indexer.Arguments[0].Value;
        int size = SizeOf(element, indexer.Syntax);
        if (index.ConstantValue is { HasValue: true, Value: int n }) return new Place(pointer, n * size, element);
        var offset = _b.Convert(LowerValue(index), IrType.I64, IsSigned(index.Type!));
        if (size != 1) offset = _b.Binary(BinaryOp.Mul, offset, Constant.Int(IrType.I64, size));
        return new Place(_b.PointerAdd(pointer, offset), 0, element);
    }

    /// <summary>A zeroed stack allocation of <paramref name="size"/> bytes (C# clears stackalloc memory too).</summary>
    Value StackAllocation(int size)
    {
        var slot = _function.AddSlot("stackalloc", size, 8);
        var address = _b.FrameAddress(slot);
        var pieces = new List<(int Offset, IrType Type)>();
        AddChunks(pieces, 0, size);
        foreach (var (offset, type) in pieces) _b.Store(address, offset, Constant.Int(type, 0L), type.StoreSize);
        return address;
    }

    /// <summary>Constant bytes in a stack slot (zero-padded to 8 bytes), 8 bytes per store.</summary>
    (Value Address, int Size) BytesOnStack(byte[] bytes, string name)
    {
        int padded = Math.Max(8, (bytes.Length + 1 + 7) / 8 * 8);
        var slot = _function.AddSlot(name, padded, 8);
        var address = _b.FrameAddress(slot);
        var buffer = new byte[padded];
        bytes.CopyTo(buffer, 0);
        for (int offset = 0; offset < padded; offset += 8)
            _b.Store(address, offset, Constant.Int(IrType.I64, BitConverter.ToInt64(buffer, offset)), 8);
        return (address, bytes.Length);
    }
}
