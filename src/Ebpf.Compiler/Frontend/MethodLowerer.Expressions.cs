using Ebpf.Rules.Model;
using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Compiler.Frontend;

// Scalar expressions: constants, conversions, operators, patterns, property reads.
internal sealed partial class MethodLowerer
{
    /// <summary>C#'s integer arithmetic types after promotion: int, uint, long, ulong (and bool for the logical operators).</summary>
    readonly record struct Arith(IrType Type, bool Signed);

    static readonly Arith Int32 = new(IrType.I32, true);

    /// <summary>The value of a scalar expression.</summary>
    Value LowerValue(IOperation op)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack(); // deep input: EBPF1907, never a crash
        if (op.ConstantValue.HasValue) return ConstantOf(op);
        switch (op)
        {
            case IConversionOperation c: return LowerConversion(c);
            case IBinaryOperation b: return LowerBinary(b);
            case IUnaryOperation u: return LowerUnary(u);
            case ISimpleAssignmentOperation a:
                return LowerAssignment(a) ?? throw Unsupported(a.Syntax, "the value of a struct or ref assignment");
            case ICompoundAssignmentOperation ca: return LowerCompoundAssignment(ca);
            case IIncrementOrDecrementOperation inc: return LowerIncrement(inc);
            case IInvocationOperation inv when inv.TargetMethod.ReturnsByRef || inv.TargetMethod.ReturnsByRefReadonly:
                return LoadScalar(LowerPlace(inv), inv.Syntax);
            case IInvocationOperation inv:
                return LowerInvocation(inv, resultNeeded: true) ?? throw Unsupported(inv.Syntax, "the value of a void call");
            case IPropertyReferenceOperation p: return LowerPropertyRead(p);
            case IFlowCaptureReferenceOperation r: return _captures.ValueOf(r, this);
            case IIsNullOperation { Operand.Type: { } tested } isNull when Scalar(tested) is { IsPointer: true }:
            {
                // The test of a null-conditional access (`inner?.Update(k, v)`): the receiver compared with NULL.
                var value = LowerValue(isNull.Operand);
                return _b.Compare(IR.Predicate.Eq, value, Constant.Null(value.Type));
            }
            case IIsPatternOperation ip: return LowerPattern(LowerValue(ip.Value), ip.Value.Type!, ip.Pattern);
            case ISizeOfOperation s: return Constant.Int(IrType.I32, SizeOf(s.TypeOperand, s.Syntax));
            case IDefaultValueOperation d: return Zero(ScalarType(d.Type!, d.Syntax));
            case IAddressOfOperation ao: return AddressOf(LowerPlace(ao.Reference), ao.Syntax);
            case IFieldReferenceOperation when TryLowerCoreRead(op, out var core): return core;
            case IFieldReferenceOperation { Field.IsFixedSizeBuffer: true } buffer:
                return AddressOf(FieldPlace(buffer), buffer.Syntax); // a fixed buffer used as a value is its address
            case { Kind: OperationKind.None, Syntax: Microsoft.CodeAnalysis.CSharp.Syntax.StackAllocArrayCreationExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.ImplicitStackAllocArrayCreationExpressionSyntax }:
                return LowerStackAlloc(op);
            case IParameterReferenceOperation or ILocalReferenceOperation or IFieldReferenceOperation or IDeclarationExpressionOperation or IInlineArrayAccessOperation:
                return LoadScalar(LowerPlace(op), op.Syntax);
            case { Kind: OperationKind.None } when PointerDereference(op) is { } deref:
                return LoadScalar(deref, op.Syntax);
            case { Kind: OperationKind.None, Parent: ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local.IsFixed: true } } }
                when op.ChildOperations.Count == 1:
                // The initializer of a fixed statement: nothing moves in BPF, so pinning is just the address.
                return LowerValue(op.ChildOperations.First());
            default:
                throw Unsupported(op.Syntax, $"the expression '{op.Syntax}' ({op.Kind})");
        }
    }

    /// <summary><c>stackalloc T[n]</c> as a pointer: a zeroed stack slot of constant size (C# clears it too).</summary>
    Value LowerStackAlloc(IOperation op)
    {
        if (op.Type is not IPointerTypeSymbol pointer)
            throw Unsupported(op.Syntax, $"stackalloc as '{op.Type?.ToDisplayString()}' (assign it to a pointer: byte* buffer = stackalloc byte[16])");
        var count = op.ChildOperations.FirstOrDefault();
        if (count?.ConstantValue is not { HasValue: true, Value: int n } || n <= 0)
            throw Error(DiagnosticDescriptors.NonConstantStackalloc, op.Syntax, op.Syntax.ToString());
        int size = n * SizeOf(pointer.PointedAtType, op.Syntax);
        var slot = _function.AddSlot("stackalloc", size, 8);
        var address = _b.FrameAddress(slot);
        var pieces = new List<(int Offset, IrType Type)>();
        AddChunks(pieces, 0, size);
        foreach (var (offset, type) in pieces) _b.Store(address, offset, Constant.Int(type, 0L), type.StoreSize);
        return address;
    }

    static Value Zero(IrType type) => type.IsPointer ? Constant.Null(type) : Constant.Int(type, 0L);

    Value ConstantOf(IOperation op)
    {
        var value = op.ConstantValue.Value;
        var type = op.Type;
        if (value is null)
        {
            // `p == null` on a pointer: Roslyn leaves the null literal untyped under its conversion to the pointer type.
            var target = type ?? (op.Parent as IConversionOperation)?.Type;
            if (target is not null && Scalar(target) is { IsPointer: true } p) return Constant.Null(p);
            // `inner == null` on a map: C# compares references as objects; the null is the map pointer's.
            if (target is { SpecialType: SpecialType.System_Object }) return Constant.Null(IrType.Pointer(PointerKind.MapHandle));
            throw Unsupported(op.Syntax, "a null value that is not a pointer");
        }
        if (type is null || Scalar(type) is not { } ir || ir.IsPointer)
            throw Error(DiagnosticDescriptors.CodegenUnsupportedType, op.Syntax, type?.ToDisplayString() ?? value.GetType().Name, "as a constant");
        return value switch
        {
            bool b => Constant.Bool(b),
            char c => Constant.Int(ir, c),
            ulong u => Constant.Int(ir, u),
            sbyte or byte or short or ushort or int or uint or long or nint or nuint => Constant.Int(ir, Convert.ToInt64(value)),
            _ => throw Error(DiagnosticDescriptors.CodegenUnsupportedType, op.Syntax, type.ToDisplayString(), "as a constant"),
        };
    }

    /// <summary>Converts a scalar to <paramref name="to"/>, extending by the sign of its C# type.
    /// Between two pointers the value keeps its own (more precise) verifier kind.</summary>
    Value ConvertScalar(Value value, IrType to, ITypeSymbol? fromType, SyntaxNode at)
    {
        if (value.Type == to) return value;
        if (value.Type.IsPointer && to.IsPointer) return value;
        if (to.IsPointer && value is Constant { IsZero: true }) return Constant.Null(to);
        if (value.Type.IsPointer && value.Type.Pointee == PointerKind.Context)
            throw Error(DiagnosticDescriptors.ContextPointerArithmetic, at, at.ToString());
        return _b.Convert(value, to, fromType is not null && IsSigned(fromType));
    }

    Value LowerConversion(IConversionOperation c)
    {
        if (c.OperatorMethod is not null) throw Unsupported(c.Syntax, $"user-defined conversion '{c.OperatorMethod.ToDisplayString()}'");
        // A map compared with null (`inner == null`): the reference converted to object is the map pointer itself.
        if (c.Type?.SpecialType == SpecialType.System_Object && c.Operand.Type is { } operand && IsMap(operand)) return LowerValue(c.Operand);
        var to = ScalarType(c.Type!, c.Syntax);
        return ConvertScalar(LowerValue(c.Operand), to, c.Operand.Type, c.Syntax);
    }

    /// <summary>A record struct's synthesized <c>==</c>/<c>!=</c>: every field equal (its scalar leaves
    /// compared, padding ignored), as <c>EqualityComparer&lt;T&gt;.Default</c> does for integer fields.</summary>
    Value RecordEquality(IBinaryOperation b)
    {
        var left = LowerPlace(b.LeftOperand);
        var right = LowerPlace(b.RightOperand);
        var leaves = new List<(int Offset, IrType Type)>();
        CollectLeaves(left.Type, 0, leaves, b.Syntax);
        Value equal = Constant.Bool(true);
        foreach (var (offset, type) in leaves)
        {
            var x = _b.Load(left.Base, left.Offset + offset, type, type.StoreSize);
            var y = _b.Load(right.Base, right.Offset + offset, type, type.StoreSize);
            equal = _b.Binary(BinaryOp.And, equal, _b.Compare(IR.Predicate.Eq, x, y));
        }
        return b.OperatorKind == BinaryOperatorKind.Equals ? equal : _b.Compare(IR.Predicate.Eq, equal, Constant.Bool(false));
    }

    /// <summary>C#'s type of an integer operand after unary promotion (byte, short, char and their enums become int).</summary>
    Arith Promote(ITypeSymbol type, SyntaxNode at)
    {
        var ir = ScalarType(type, at);
        if (ir.IsBool) return new Arith(IrType.I1, false);
        if (ir.IsPointer) return new Arith(ir, false);
        if (ir.Bits < 32) return Int32;
        return new Arith(ir, IsSigned(type));
    }

    /// <summary>C#'s binary numeric promotion: the type the predefined operator works in.</summary>
    Arith Promote(ITypeSymbol left, ITypeSymbol right, SyntaxNode at)
    {
        var a = Promote(left, at);
        var b = Promote(right, at);
        if (a.Type.IsBool || b.Type.IsBool) return new Arith(IrType.I1, false);
        if (a.Type.Bits == 64 || b.Type.Bits == 64)
        {
            // ulong with anything gives ulong; long with int, uint or long gives long.
            bool anyUnsigned64 = a.Type.Bits == 64 && !a.Signed || b.Type.Bits == 64 && !b.Signed;
            return new Arith(IrType.I64, !anyUnsigned64);
        }
        if (a.Signed != b.Signed) return new Arith(IrType.I64, true); // int with uint: long
        return new Arith(IrType.I32, a.Signed);
    }

    Value Widen(Value v, Arith to, ITypeSymbol? fromType, SyntaxNode at) => ConvertScalar(v, to.Type, fromType, at);

    Value LowerBinary(IBinaryOperation b)
    {
        if (b.OperatorMethod is { IsImplicitlyDeclared: true, ContainingType: { IsRecord: true, IsValueType: true } } && b.OperatorKind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals)
            return RecordEquality(b);
        if (b.OperatorMethod is not null) throw Unsupported(b.Syntax, $"user-defined operator '{b.OperatorMethod.ToDisplayString()}'");
        var kind = b.OperatorKind;
        var lt = b.LeftOperand.Type!;
        var rt = b.RightOperand.Type!;

        if (IsComparison(kind))
        {
            var left = LowerValue(b.LeftOperand);
            var right = LowerValue(b.RightOperand);
            if (left.Type.IsPointer || right.Type.IsPointer)
            {
                if (!left.Type.IsPointer) left = ConvertScalar(left, right.Type, lt, b.Syntax);
                if (!right.Type.IsPointer) right = ConvertScalar(right, left.Type, rt, b.Syntax);
                return _b.Compare(Predicate(kind, signed: false), left, right);
            }
            var arith = Promote(lt, rt, b.Syntax);
            return _b.Compare(Predicate(kind, arith.Signed), Widen(left, arith, lt, b.Syntax), Widen(right, arith, rt, b.Syntax));
        }

        if (kind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr)
            throw Unsupported(b.Syntax, "a short-circuit operator outside a condition");

        if (lt.TypeKind == TypeKind.Pointer || rt.TypeKind == TypeKind.Pointer)
            return LowerPointerArithmetic(b);

        if (kind is BinaryOperatorKind.LeftShift or BinaryOperatorKind.RightShift or BinaryOperatorKind.UnsignedRightShift)
        {
            var arith = Promote(lt, b.Syntax);
            var value = Widen(LowerValue(b.LeftOperand), arith, lt, b.Syntax);
            return Shift(kind, value, LowerValue(b.RightOperand), arith, b.Syntax);
        }

        var type = Promote(lt, rt, b.Syntax);
        var l = Widen(LowerValue(b.LeftOperand), type, lt, b.Syntax);
        var r = Widen(LowerValue(b.RightOperand), type, rt, b.Syntax);
        var result = Arithmetic(kind, l, r, type, b.Syntax);
        // Enum operators (flags & Flag.X) work in the enum's own, possibly narrower, type.
        var resultType = ScalarType(b.Type!, b.Syntax);
        return resultType == result.Type ? result : _b.Convert(result, resultType, type.Signed);
    }

    static bool IsComparison(BinaryOperatorKind k) => k is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals
        or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual;

    static Predicate Predicate(BinaryOperatorKind k, bool signed) => k switch
    {
        BinaryOperatorKind.Equals => IR.Predicate.Eq,
        BinaryOperatorKind.NotEquals => IR.Predicate.Ne,
        BinaryOperatorKind.LessThan => signed ? IR.Predicate.SLt : IR.Predicate.ULt,
        BinaryOperatorKind.LessThanOrEqual => signed ? IR.Predicate.SLe : IR.Predicate.ULe,
        BinaryOperatorKind.GreaterThan => signed ? IR.Predicate.SGt : IR.Predicate.UGt,
        _ => signed ? IR.Predicate.SGe : IR.Predicate.UGe,
    };

    /// <summary>The arithmetic of a binary operator in an already promoted type.</summary>
    Value Arithmetic(BinaryOperatorKind kind, Value l, Value r, Arith type, SyntaxNode at)
    {
        if (type.Type.IsBool)
        {
            return kind switch
            {
                BinaryOperatorKind.And => _b.Binary(BinaryOp.And, l, r),
                BinaryOperatorKind.Or => _b.Binary(BinaryOp.Or, l, r),
                BinaryOperatorKind.ExclusiveOr => _b.Binary(BinaryOp.Xor, l, r),
                _ => throw Unsupported(at, $"operator {kind} on bool"),
            };
        }
        BinaryOp op;
        switch (kind)
        {
            case BinaryOperatorKind.Add: op = BinaryOp.Add; break;
            case BinaryOperatorKind.Subtract: op = BinaryOp.Sub; break;
            case BinaryOperatorKind.Multiply: op = BinaryOp.Mul; break;
            case BinaryOperatorKind.And: op = BinaryOp.And; break;
            case BinaryOperatorKind.Or: op = BinaryOp.Or; break;
            case BinaryOperatorKind.ExclusiveOr: op = BinaryOp.Xor; break;
            case BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder:
                bool div = kind == BinaryOperatorKind.Divide;
                op = type.Signed ? div ? BinaryOp.SDiv : BinaryOp.SRem : div ? BinaryOp.UDiv : BinaryOp.URem;
                break;
            case BinaryOperatorKind.LeftShift or BinaryOperatorKind.RightShift or BinaryOperatorKind.UnsignedRightShift:
                return Shift(kind, l, r, type, at);
            default:
                throw Unsupported(at, $"operator {kind}");
        }
        return _b.Binary(op, l, r);
    }

    /// <summary>A shift: the count is masked to the operand width as C# (and BPF) do; constant counts
    /// are masked here because the kernel rejects an immediate shift of the full width or more.</summary>
    Value Shift(BinaryOperatorKind kind, Value value, Value count, Arith type, SyntaxNode at)
    {
        int mask = type.Type.Bits - 1;
        count = count is Constant c ? Constant.Int(type.Type, c.Signed & mask) : _b.Convert(count, type.Type, signed: false);
        var op = kind switch
        {
            BinaryOperatorKind.LeftShift => BinaryOp.Shl,
            BinaryOperatorKind.RightShift when type.Signed => BinaryOp.AShr,
            _ => BinaryOp.LShr,
        };
        return _b.Binary(op, value, count);
    }

    Value LowerPointerArithmetic(IBinaryOperation b)
    {
        var lt = b.LeftOperand.Type!;
        var rt = b.RightOperand.Type!;
        if (lt is IPointerTypeSymbol lp && rt.TypeKind != TypeKind.Pointer && b.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract)
            return OffsetPointer(LowerValue(b.LeftOperand), lp, LowerValue(b.RightOperand), rt, b.OperatorKind == BinaryOperatorKind.Subtract, b.Syntax);
        if (rt is IPointerTypeSymbol rp && b.OperatorKind == BinaryOperatorKind.Add)
            return OffsetPointer(LowerValue(b.RightOperand), rp, LowerValue(b.LeftOperand), lt, false, b.Syntax);
        if (lt is IPointerTypeSymbol elementType && rt is IPointerTypeSymbol && b.OperatorKind == BinaryOperatorKind.Subtract)
        {
            // p - q: the distance in elements, a long (the verifier lets privileged programs subtract pointers).
            var left = LowerValue(b.LeftOperand);
            var right = LowerValue(b.RightOperand);
            var bytes = _b.Binary(BinaryOp.Sub, _b.Convert(left, IrType.I64, false), _b.Convert(right, IrType.I64, false));
            int size = elementType.PointedAtType.SpecialType == SpecialType.System_Void ? 1 : SizeOf(elementType.PointedAtType, b.Syntax);
            return size == 1 ? bytes : _b.Binary(BinaryOp.SDiv, bytes, Constant.Int(IrType.I64, size));
        }
        throw Unsupported(b.Syntax, $"pointer operator {b.OperatorKind}");
    }

    Value OffsetPointer(Value pointer, IPointerTypeSymbol type, Value index, ITypeSymbol indexType, bool subtract, SyntaxNode at)
    {
        if (pointer.Type.Pointee == PointerKind.Context) throw Error(DiagnosticDescriptors.ContextPointerArithmetic, at, at.ToString());
        int elementSize = type.PointedAtType.SpecialType == SpecialType.System_Void ? 1 : SizeOf(type.PointedAtType, at);
        var offset = _b.Convert(index, IrType.I64, IsSigned(indexType));
        if (elementSize != 1) offset = _b.Binary(BinaryOp.Mul, offset, Constant.Int(IrType.I64, elementSize));
        if (subtract) offset = _b.Negate(offset);
        return _b.PointerAdd(pointer, offset);
    }

    Value LowerUnary(IUnaryOperation u)
    {
        if (u.OperatorMethod is not null) throw Unsupported(u.Syntax, $"user-defined operator '{u.OperatorMethod.ToDisplayString()}'");
        var operandType = u.Operand.Type!;
        var value = LowerValue(u.Operand);
        switch (u.OperatorKind)
        {
            case UnaryOperatorKind.Not:
                return _b.Compare(IR.Predicate.Eq, value, Constant.Bool(false));
            case UnaryOperatorKind.Plus:
                return Widen(value, Promote(operandType, u.Syntax), operandType, u.Syntax);
            case UnaryOperatorKind.Minus:
            {
                var type = Promote(operandType, u.Syntax);
                if (type.Type == IrType.I32 && !type.Signed) type = new Arith(IrType.I64, true); // -uint is long
                return _b.Negate(Widen(value, type, operandType, u.Syntax));
            }
            case UnaryOperatorKind.BitwiseNegation:
            {
                var type = Promote(operandType, u.Syntax);
                var result = _b.Binary(BinaryOp.Xor, Widen(value, type, operandType, u.Syntax), Constant.Int(type.Type, -1L));
                var resultType = ScalarType(u.Type!, u.Syntax);
                return resultType == result.Type ? result : _b.Convert(result, resultType, type.Signed);
            }
            default:
                throw Unsupported(u.Syntax, $"operator {u.OperatorKind}");
        }
    }

    Value LowerCompoundAssignment(ICompoundAssignmentOperation ca)
    {
        if (ca.OperatorMethod is not null) throw Unsupported(ca.Syntax, $"user-defined operator '{ca.OperatorMethod.ToDisplayString()}'");
        var targetType = ca.Target.Type!;
        var valueType = ca.Value.Type!;
        var place = LowerPlace(ca.Target);
        var targetIr = ScalarType(targetType, ca.Syntax);
        var old = LoadScalar(place, ca.Syntax);
        Value result;
        if (targetType is IPointerTypeSymbol pt && ca.OperatorKind is BinaryOperatorKind.Add or BinaryOperatorKind.Subtract)
        {
            result = OffsetPointer(old, pt, LowerValue(ca.Value), valueType, ca.OperatorKind == BinaryOperatorKind.Subtract, ca.Syntax);
        }
        else if (ca.OperatorKind is BinaryOperatorKind.LeftShift or BinaryOperatorKind.RightShift or BinaryOperatorKind.UnsignedRightShift)
        {
            var type = Promote(targetType, ca.Syntax);
            result = Shift(ca.OperatorKind, Widen(old, type, targetType, ca.Syntax), LowerValue(ca.Value), type, ca.Syntax);
        }
        else
        {
            var type = Promote(targetType, valueType, ca.Syntax);
            var right = Widen(LowerValue(ca.Value), type, valueType, ca.Syntax);
            result = Arithmetic(ca.OperatorKind, Widen(old, type, targetType, ca.Syntax), right, type, ca.Syntax);
        }
        // C# converts the result back to the target's type (b += 1 for a byte wraps at 8 bits).
        var stored = ConvertScalar(result, targetIr, null, ca.Syntax);
        StoreScalar(place, stored, ca.Target.Syntax);
        return stored;
    }

    Value LowerIncrement(IIncrementOrDecrementOperation inc)
    {
        if (inc.OperatorMethod is not null) throw Unsupported(inc.Syntax, "a user-defined ++/--");
        var targetType = inc.Target.Type!;
        var place = LowerPlace(inc.Target);
        var old = LoadScalar(place, inc.Syntax);
        bool decrement = inc.Kind == OperationKind.Decrement;
        Value updated;
        if (targetType is IPointerTypeSymbol pt)
            updated = OffsetPointer(old, pt, Constant.Int(IrType.I32, 1L), targetType, decrement, inc.Syntax);
        else
        {
            var type = Promote(targetType, inc.Syntax);
            var wide = Widen(old, type, targetType, inc.Syntax);
            var sum = _b.Binary(decrement ? BinaryOp.Sub : BinaryOp.Add, wide, Constant.Int(type.Type, 1L));
            updated = ConvertScalar(sum, old.Type, null, inc.Syntax);
        }
        StoreScalar(place, updated, inc.Target.Syntax);
        return inc.IsPostfix ? old : updated;
    }

    /// <summary>A property read: context fields (<c>[ContextField]</c>) are loads from the context pointer.
    /// The packet pointers among them get the kinds the verifier gives those fields.</summary>
    Value LowerPropertyRead(IPropertyReferenceOperation p)
    {
        if (TryLowerCoreBitfieldRead(p, out var bitfield)) return bitfield;
        if (p.Instance is not null && BackingField(p.Property) is not null) return LoadScalar(LowerPlace(p), p.Syntax);
        if (IsSpan(p.Instance?.Type))
        {
            if (p.Property.IsIndexer) return LoadScalar(SpanElementPlace(p), p.Syntax);
            if (p.Property.Name == "Length") return LowerSpan(p.Instance!).Length;
            if (p.Property.Name == "IsEmpty") return _b.Compare(IR.Predicate.Eq, LowerSpan(p.Instance!).Length, Constant.Int(IrType.I32, 0));
        }
        if (KernelApi.ContextField(p.Property) is null && p.Property.GetMethod is { } getter && KernelApi.HasSource(getter)
            && SymbolEqualityComparer.Default.Equals(getter.ContainingAssembly, _context.Compilation.Assembly))
            return LowerGetterCall(p, returnInto: null) ?? throw Unsupported(p.Syntax, "a property returning a struct used as a scalar");
        if (KernelApi.ContextField(p.Property) is not { } field || p.Instance is null)
            throw Unsupported(p.Syntax, $"property '{p.Property.ToDisplayString()}' (only context fields are compiled)");
        var ctx = LowerValue(p.Instance);
        if (ctx.Type.Pointee != PointerKind.Context) throw Unsupported(p.Syntax, "a context field read through a copy of the context");
        var type = ScalarType(p.Type!, p.Syntax);
        if (type.IsPointer)
        {
            var kind = p.Property.Name switch
            {
                "DataEnd" => PointerKind.PacketEnd,
                "Data" or "DataMeta" => PointerKind.Packet,
                _ => PointerKind.Kernel,
            };
            return _b.Load(ctx, field.Offset, IrType.Pointer(kind), field.Size);
        }
        if (field.Size == type.StoreSize) return _b.Load(ctx, field.Offset, type, field.Size);
        var narrow = _b.Load(ctx, field.Offset, IrType.Int(field.Size * 8), field.Size);
        return _b.Convert(narrow, type, IsSigned(p.Type!));
    }

    /// <summary>A pattern test of <paramref name="value"/>: constant, relational, not, and/or, discard.</summary>
    Value LowerPattern(Value value, ITypeSymbol valueType, IPatternOperation pattern)
    {
        switch (pattern)
        {
            case IConstantPatternOperation c:
            {
                var constant = LowerValue(c.Value);
                if (value.Type.IsPointer || constant.Type.IsPointer)
                    return _b.Compare(IR.Predicate.Eq, value, ConvertScalar(constant, value.Type, c.Value.Type, c.Syntax));
                var type = Promote(valueType, c.Value.Type ?? valueType, c.Syntax);
                return _b.Compare(IR.Predicate.Eq, Widen(value, type, valueType, c.Syntax), Widen(constant, type, c.Value.Type, c.Syntax));
            }
            case IRelationalPatternOperation r:
            {
                var type = Promote(valueType, r.Value.Type ?? valueType, r.Syntax);
                return _b.Compare(Predicate(r.OperatorKind, type.Signed), Widen(value, type, valueType, r.Syntax),
                    Widen(LowerValue(r.Value), type, r.Value.Type, r.Syntax));
            }
            case INegatedPatternOperation n:
                return _b.Compare(IR.Predicate.Eq, LowerPattern(value, valueType, n.Pattern), Constant.Bool(false));
            case IBinaryPatternOperation bp:
            {
                var left = LowerPattern(value, valueType, bp.LeftPattern);
                var right = LowerPattern(value, valueType, bp.RightPattern);
                return _b.Binary(bp.OperatorKind == BinaryOperatorKind.Or ? BinaryOp.Or : BinaryOp.And, left, right);
            }
            case IDiscardPatternOperation:
                return Constant.Bool(true);
            case ITypePatternOperation t when SymbolEqualityComparer.Default.Equals(t.MatchedType, valueType):
                return Constant.Bool(true);
            case IDeclarationPatternOperation d when d.MatchedType is null || SymbolEqualityComparer.Default.Equals(d.MatchedType, valueType):
            {
                // `var x` / `int x` on a value of that type: always matches, and binds x.
                if (d.DeclaredSymbol is ILocalSymbol local)
                {
                    var place = new Place(_b.FrameAddress(SlotFor(local, d.Syntax)), 0, local.Type);
                    StoreScalar(place, ConvertScalar(value, ScalarType(local.Type, d.Syntax), valueType, d.Syntax), d.Syntax);
                }
                return Constant.Bool(true);
            }
            default:
                throw Unsupported(pattern.Syntax, $"the pattern '{pattern.Syntax}'");
        }
    }
}
