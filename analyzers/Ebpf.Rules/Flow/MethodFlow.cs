using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

using Ebpf.Rules.Model;

namespace Ebpf.Rules.Flow;

/// <summary>The forward dataflow of one method over its <see cref="ControlFlowGraph"/>: a worklist to a
/// fixpoint of <see cref="FlowState"/> per block, then one more pass that reports what the verifier will
/// refuse. Calls of methods of the same object are followed inline (their effects on the caller's
/// values, packet range and records are those of their own flow, started from the call's arguments).</summary>
sealed class MethodFlow
{
    const int MaxInlineDepth = 3;
    const int MaxPasses = 64;

    readonly FlowContext _context;
    readonly IMethodSymbol _method;
    readonly ControlFlowGraph _cfg;
    readonly int _depth;
    readonly Dictionary<CaptureId, IOperation> _captured = new();
    FlowReport? _report;

    MethodFlow(FlowContext context, IMethodSymbol method, ControlFlowGraph cfg, int depth)
    {
        _context = context;
        _method = method;
        _cfg = cfg;
        _depth = depth;
    }

    /// <summary>Analyzes <paramref name="method"/> as a function of its own (parameters as the kernel sees
    /// them at entry) and reports through <paramref name="report"/>.</summary>
    public static void Check(FlowContext context, IMethodSymbol method, ControlFlowGraph cfg, FlowReport report)
    {
        var flow = new MethodFlow(context, method, cfg, 0);
        var entry = FlowState.Entry;
        bool program = ApiCalls.IsProgram(method);
        foreach (var p in method.Parameters)
            entry = entry.With(p, EntryValue(p, program, method).From(p));
        var states = flow.Solve(entry);
        flow._report = report;
        flow.Replay(states);
    }

    static Provenance EntryValue(IParameterSymbol p, bool program, IMethodSymbol method)
    {
        if (ApiCalls.IsContextType(p.Type)) return new(ProvenanceKind.Context);
        if (program && p.Ordinal == 0 && ApiCalls.IsTracepointProgram(method)) return new(ProvenanceKind.TracepointContext);
        if (p.Type is IPointerTypeSymbol) return program ? new(ProvenanceKind.Kernel) : Provenance.Unknown;
        // A parameter of a sub-program holds what its callers pass (each call is checked where it is made);
        // the typed arguments of a program are the traced function's: any number.
        return program ? Provenance.AnyScalar : new(ProvenanceKind.Scalar, Bounded: true);
    }

    // ---- the fixpoint ----------------------------------------------------------------------------

    Dictionary<BasicBlock, FlowState> Solve(FlowState entry)
    {
        var input = new Dictionary<BasicBlock, FlowState> { [_cfg.Blocks[0]] = entry };
        for (int pass = 0; pass < MaxPasses; pass++)
        {
            bool changed = false;
            foreach (var block in _cfg.Blocks)
            {
                if (!input.TryGetValue(block, out var state)) continue;
                foreach (var (successor, outState) in Transfer(block, state))
                {
                    var merged = input.TryGetValue(successor, out var old) ? FlowState.Join(old, outState) : outState;
                    if (old is null || !merged.Equals(old)) { input[successor] = merged; changed = true; }
                }
            }
            if (!changed) break;
        }
        return input;
    }

    void Replay(Dictionary<BasicBlock, FlowState> states)
    {
        foreach (var block in _cfg.Blocks)
        {
            if (!states.TryGetValue(block, out var state)) continue;
            foreach (var (successor, outState) in Transfer(block, state))
                if (successor.Kind == BasicBlockKind.Exit) ReportOpenRecords(block, outState);
            CheckLoopBound(block, state, states);
        }
    }

    /// <summary>The states leaving <paramref name="block"/>, per successor (a condition refines each side).</summary>
    IEnumerable<(BasicBlock, FlowState)> Transfer(BasicBlock block, FlowState state)
    {
        foreach (var op in block.Operations) state = Effect(op, state);
        if (block.BranchValue is { } branch && block.ConditionKind != ControlFlowConditionKind.None)
        {
            state = Effect(branch, state);
            var (whenTrue, whenFalse) = Refine(branch, state);
            bool jumpOnTrue = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            if (block.ConditionalSuccessor?.Destination is { } conditional) yield return (conditional, jumpOnTrue ? whenTrue : whenFalse);
            if (block.FallThroughSuccessor?.Destination is { } fall) yield return (fall, jumpOnTrue ? whenFalse : whenTrue);
            yield break;
        }
        if (block.BranchValue is { } value) state = Returned(value, state);
        if (block.FallThroughSuccessor?.Destination is { } next) yield return (next, state);
    }

    FlowState Returned(IOperation value, FlowState state)
    {
        Eval(value, ref state, _method.ReturnsByRef ? RefUse.Reference : RefUse.Value);
        return state;
    }

    // ---- effects of operations -------------------------------------------------------------------

    /// <summary>The state after <paramref name="op"/> runs (for statements; values go through <see cref="Eval"/>).</summary>
    FlowState Effect(IOperation op, FlowState state)
    {
        Eval(op, ref state, RefUse.Value);
        return state;
    }

    /// <summary>How an operation's result is used: read as a value (a dereference for a <c>ref</c>), or
    /// taken as a reference (a <c>ref</c> local's initializer, a <c>ref</c> argument...).</summary>
    enum RefUse { Value, Reference }

    Provenance Eval(IOperation op, ref FlowState state, RefUse use)
    {
        var value = EvalCore(op, ref state, use);
        if (value.Kind == ProvenanceKind.Scalar && !value.Bounded && op.Type is { } type && IsNarrow(type))
            value = value with { Bounded = true };
        return value;
    }

    static bool IsNarrow(ITypeSymbol type) => (type is INamedTypeSymbol { EnumUnderlyingType: { } u } ? u : type).SpecialType
        is SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_UInt16;

    Provenance EvalCore(IOperation op, ref FlowState state, RefUse use)
    {
        if (op.ConstantValue.HasValue) return Provenance.Constant(op.ConstantValue.Value);
        switch (op)
        {
            case IFlowCaptureOperation capture:
                _captured[capture.Id] = capture.Value;
                var captured = Eval(capture.Value, ref state, IsRefCapture(capture) ? RefUse.Reference : RefUse.Value);
                state = state.With(capture.Id, captured);
                return captured;
            case IFlowCaptureReferenceOperation reference:
                return state.Captures.TryGetValue(reference.Id, out var v) ? v : Provenance.Unknown;
            case ILocalReferenceOperation local:
                return Read(local.Local, local.Local.RefKind != RefKind.None, op, ref state, use);
            case IParameterReferenceOperation parameter:
                return Read(parameter.Parameter, parameter.Parameter.RefKind is RefKind.Ref or RefKind.Out or RefKind.In or RefKind.RefReadOnlyParameter
                    && state[parameter.Parameter].Kind != ProvenanceKind.TracepointContext, op, ref state, use);
            case ISimpleAssignmentOperation assignment:
                return Assign(assignment, ref state);
            case ICompoundAssignmentOperation compound:
            {
                var left = Eval(compound.Target, ref state, RefUse.Value);
                var right = Eval(compound.Value, ref state, RefUse.Value);
                var result = Arithmetic(compound.OperatorKind, left, right, compound.Value, ElementSize(compound.Target.Type), compound.Syntax, state);
                Store(compound.Target, result, ref state);
                return result;
            }
            case IIncrementOrDecrementOperation increment:
            {
                var old = Eval(increment.Target, ref state, RefUse.Value);
                int step = ElementSize(increment.Target.Type) * (increment.Kind == OperationKind.Decrement ? -1 : 1);
                var result = old.Kind == ProvenanceKind.Packet ? old with { Offset = old.Offset + step, Delta = old.Delta + step } : Provenance.AnyScalar;
                Store(increment.Target, result, ref state);
                return result;
            }
            case IInvocationOperation invocation:
                return Invoke(invocation, ref state, use);
            case IPropertyReferenceOperation property:
            {
                var instance = property.Instance is null ? Provenance.Unknown : Eval(property.Instance, ref state, RefUse.Value);
                foreach (var a in property.Arguments) Eval(a.Value, ref state, RefUse.Value);
                if (instance.Kind == ProvenanceKind.Context)
                    return ApiCalls.PacketFieldOf(property.Property) switch
                    {
                        PacketField.Data => new(ProvenanceKind.Packet, Offset: 0),
                        PacketField.DataEnd => new(ProvenanceKind.PacketEnd),
                        _ => Provenance.AnyScalar,
                    };
                // A span's length is a constant of its memory (stackalloc size, fixed buffer, u8 literal),
                // which the verifier sees once the span is lowered.
                if (property.Property.Name == "Length" && property.Instance?.Type is INamedTypeSymbol { IsGenericType: true } spanType
                    && spanType.ConstructedFrom.ContainingNamespace?.ToDisplayString() == "System"
                    && spanType.ConstructedFrom.MetadataName is "Span`1" or "ReadOnlySpan`1")
                    return new(ProvenanceKind.Scalar, Bounded: true);
                return Provenance.AnyScalar;
            }
            case IFieldReferenceOperation field:
            {
                if (field.Instance is null) return field.Field.Type is IPointerTypeSymbol ? new(ProvenanceKind.Kernel) : Provenance.AnyScalar;
                if (PointerMember(field) is var (pointer, owner))
                {
                    // p->f reads the field's bytes, not the whole *p: the verifier checks exactly those.
                    var address = Eval(pointer, ref state, RefUse.Value);
                    int offset = FieldOffset(owner, field.Field);
                    if (address.Kind == ProvenanceKind.Packet) address = address with { Offset = address.Offset + offset, Delta = address.Delta + offset };
                    CheckAccess(address, SizeOf(field.Field.Type), field.Syntax, state);
                    if (use == RefUse.Reference && address.Kind == ProvenanceKind.Packet) return address;
                    return field.Field.Type is IPointerTypeSymbol ? new(ProvenanceKind.Kernel) : Provenance.AnyScalar;
                }
                var instance = Eval(field.Instance, ref state, RefUse.Value);
                if (instance.Kind == ProvenanceKind.TracepointContext) CheckTracepointField(field);
                if (field.Field.Type is IPointerTypeSymbol) return new(ProvenanceKind.Kernel);
                return Provenance.AnyScalar;
            }
            case IConversionOperation conversion:
            {
                var operand = Eval(conversion.Operand, ref state, use);
                return operand.Kind == ProvenanceKind.Scalar && conversion.Type is IPointerTypeSymbol ? new(ProvenanceKind.Kernel) : operand;
            }
            case ISizeOfOperation:
                return new(ProvenanceKind.Scalar, Bounded: true, NonZero: true);
            case IParenthesizedOperation parenthesized:
                return Eval(parenthesized.Operand, ref state, use);
            case IBinaryOperation binary:
            {
                var left = Eval(binary.LeftOperand, ref state, RefUse.Value);
                var right = Eval(binary.RightOperand, ref state, RefUse.Value);
                return Arithmetic(binary.OperatorKind, left, right, binary.RightOperand, ElementSize(binary.LeftOperand.Type), binary.Syntax, state);
            }
            case IUnaryOperation unary:
                Eval(unary.Operand, ref state, RefUse.Value);
                return Provenance.AnyScalar;
            case IAddressOfOperation addressOf:
                Eval(addressOf.Reference, ref state, RefUse.Reference);
                return new(ProvenanceKind.Stack);
            case IIsNullOperation isNull:
                Eval(isNull.Operand, ref state, RefUse.Reference);
                return Provenance.AnyScalar;
            case { Kind: OperationKind.None } when Dereference(op) is var (pointer, index, pointee):
            {
                var address = Eval(pointer, ref state, RefUse.Value);
                if (index is not null)
                {
                    Eval(index, ref state, RefUse.Value);
                    if (address.Kind == ProvenanceKind.Packet)
                        address = StaticInt(index) is int n
                            ? address with { Offset = address.Offset + n * SizeOf(pointee), Delta = address.Delta + n * SizeOf(pointee) }
                            : new Provenance(ProvenanceKind.Packet);
                }
                CheckAccess(address, SizeOf(pointee), op.Syntax, state);
                if (use == RefUse.Reference) return address;
                return pointee is IPointerTypeSymbol ? new(ProvenanceKind.Kernel) : Provenance.AnyScalar;
            }
            case { Kind: OperationKind.None } when op.Syntax is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax:
                return new(ProvenanceKind.Stack);
            default:
                foreach (var child in op.ChildOperations) Eval(child, ref state, RefUse.Value);
                return Provenance.AnyScalar;
        }
    }

    static bool IsRefCapture(IFlowCaptureOperation capture)
        => capture.Value is IInvocationOperation { TargetMethod.ReturnsByRef: true } or ILocalReferenceOperation { Local.RefKind: not RefKind.None };

    /// <summary>A read of a local or parameter; for a <c>ref</c> one used as a value, a dereference of the pointer it holds.</summary>
    Provenance Read(ISymbol symbol, bool isRef, IOperation at, ref FlowState state, RefUse use)
    {
        var value = state[symbol];
        if (value.Kind == ProvenanceKind.Unknown && !state.Locals.ContainsKey(symbol) && symbol is ILocalSymbol) value = Provenance.AnyScalar;
        value = value.From(symbol);
        if (!isRef || use == RefUse.Reference) return value;
        CheckAccess(value, 0, at.Syntax, state);
        state = Reported(state, value);
        return Provenance.AnyScalar;
    }

    /// <summary>After a use is reported, the value counts as checked: one report per missing check, not one per use.</summary>
    FlowState Reported(FlowState state, Provenance value)
    {
        if (_report is null || value.Root is not { } root) return state;
        return value.Kind switch
        {
            ProvenanceKind.MapValueOrNull => state.With(root, value with { Kind = ProvenanceKind.MapValue }),
            ProvenanceKind.RecordOrNull => state.With(root, value with { Kind = ProvenanceKind.Record }),
            ProvenanceKind.InnerMapOrNull => state.With(root, value with { Kind = ProvenanceKind.InnerMap }),
            _ => state,
        };
    }

    Provenance Assign(ISimpleAssignmentOperation assignment, ref FlowState state)
    {
        if (assignment.IsRef)
        {
            var pointer = Eval(assignment.Value, ref state, RefUse.Reference);
            if (assignment.Target is ILocalReferenceOperation { Local: var local }) state = state.With(local, pointer.From(local));
            return pointer;
        }
        var value = Eval(assignment.Value, ref state, RefUse.Value);
        Store(assignment.Target, value, ref state);
        return value;
    }

    /// <summary>A store into <paramref name="target"/>: a plain local takes the value; anything else is a
    /// write through memory (a dereference when the target is a <c>ref</c> or a pointer).</summary>
    void Store(IOperation target, Provenance value, ref FlowState state)
    {
        switch (target)
        {
            case ILocalReferenceOperation { Local: { RefKind: RefKind.None } local }:
                state = state.With(local, (value.Kind == ProvenanceKind.Packet ? value with { Checked = Math.Max(0, value.Checked - value.Delta) } : value).From(local));
                return;
            case IParameterReferenceOperation { Parameter: { RefKind: RefKind.None } parameter }:
                state = state.With(parameter, value.From(parameter));
                return;
            default:
                Eval(target, ref state, RefUse.Value);
                return;
        }
    }

    /// <param name="elementSize">Bytes one step of the left operand's pointer type moves (1 for a number).</param>
    Provenance Arithmetic(BinaryOperatorKind kind, Provenance left, Provenance right, IOperation rightOperand, int elementSize, SyntaxNode at, FlowState state)
    {
        switch (kind)
        {
            case BinaryOperatorKind.Add or BinaryOperatorKind.Subtract when left.Kind == ProvenanceKind.Packet && right.Kind is not (ProvenanceKind.Packet or ProvenanceKind.PacketEnd):
                if (right.Kind == ProvenanceKind.Scalar && StaticInt(rightOperand) is int k)
                {
                    int bytes = k * elementSize * (kind == BinaryOperatorKind.Subtract ? -1 : 1);
                    return left with { Offset = left.Offset + bytes, Delta = left.Delta + bytes };
                }
                return new(ProvenanceKind.Packet);
            case BinaryOperatorKind.Subtract when left.Kind is ProvenanceKind.Packet or ProvenanceKind.PacketEnd && right.Kind is ProvenanceKind.Packet or ProvenanceKind.PacketEnd:
                return new(ProvenanceKind.Scalar, Length: true);
            case BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder:
                if (!right.NonZero) _report?.Invoke(DiagnosticDescriptors.DivisionByZeroSemantics, at.GetLocation(), new object[] { at.ToString() });
                return new(ProvenanceKind.Scalar, Bounded: kind == BinaryOperatorKind.Remainder && right.Bounded || left.Bounded);
            case BinaryOperatorKind.And:
                return new(ProvenanceKind.Scalar, Bounded: left.Bounded || right.Bounded);
            case BinaryOperatorKind.RightShift or BinaryOperatorKind.UnsignedRightShift:
                return new(ProvenanceKind.Scalar, Bounded: left.Bounded);
            case BinaryOperatorKind.Add or BinaryOperatorKind.Subtract or BinaryOperatorKind.Multiply or BinaryOperatorKind.Or or BinaryOperatorKind.ExclusiveOr or BinaryOperatorKind.LeftShift:
                return new(ProvenanceKind.Scalar, Bounded: left.Bounded && right.Bounded);
            default:
                return Provenance.AnyScalar;
        }
    }

    static int? ToInt(object? value)
        => value is not bool && NumericConstant.Of(value) is decimal d && d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;

    /// <summary>The value of an integer expression fixed before run time: a C# constant, <c>sizeof</c> of a struct (not
    /// a constant to C#, but one to the compiler, which lays the struct out), and sums, differences and products of
    /// those, as in <c>data + 14 + sizeof(Ipv4Header) &gt; data_end</c>.</summary>
    int? StaticInt(IOperation op)
    {
        switch (op)
        {
            case { ConstantValue: { HasValue: true, Value: var value } }:
                return ToInt(value);
            case ISizeOfOperation { TypeOperand: var type } when type is not ITypeParameterSymbol:
                return SizeOf(type);
            case IParenthesizedOperation parenthesized:
                return StaticInt(parenthesized.Operand);
            case IConversionOperation { Conversion.IsNumeric: true } conversion:
                return StaticInt(conversion.Operand);
            case IBinaryOperation binary when StaticInt(binary.LeftOperand) is int left && StaticInt(binary.RightOperand) is int right:
                long result = binary.OperatorKind switch
                {
                    BinaryOperatorKind.Add => (long)left + right,
                    BinaryOperatorKind.Subtract => (long)left - right,
                    BinaryOperatorKind.Multiply => (long)left * right,
                    _ => long.MinValue,
                };
                return result is >= int.MinValue and <= int.MaxValue ? (int)result : null;
            default:
                return null;
        }
    }

    // ---- calls -----------------------------------------------------------------------------------

    Provenance Invoke(IInvocationOperation call, ref FlowState state, RefUse use)
    {
        var m = call.TargetMethod;
        if (call.Instance is { } instance)
        {
            var receiver = Eval(instance, ref state, RefUse.Value);
            // A map method chained on the lookup itself (`Outer.Lookup(k)!.Lookup(x)`) is tested by the compiler,
            // and one behind `?.` by the null-conditional access.
            if (receiver.Kind is ProvenanceKind.InnerMapOrNull or ProvenanceKind.Null && ApiCalls.IsHelper(m)
                && instance is not (IInvocationOperation or IConditionalAccessInstanceOperation))
            {
                _report?.Invoke(DiagnosticDescriptors.UncheckedPointer, instance.Syntax.GetLocation(), new object[] { call.Syntax.ToString(),
                    receiver.Kind == ProvenanceKind.Null ? "an inner map (here the test just found it null)" : "an inner map from a map of maps' Lookup", InnerMapCheckHint });
                state = Reported(state, receiver);
            }
        }
        if (ApiCalls.IsNullRefTest(m))
        {
            foreach (var a in call.Arguments) Eval(a.Value, ref state, RefUse.Reference);
            return Provenance.AnyScalar;
        }
        if (ApiCalls.IsRelease(m) && call.Arguments.Length > 0)
        {
            var record = Eval(call.Arguments[0].Value, ref state, RefUse.Reference);
            if (record.Kind == ProvenanceKind.RecordOrNull)
                _report?.Invoke(DiagnosticDescriptors.UncheckedPointer, call.Arguments[0].Value.Syntax.GetLocation(), new object[] { call.Arguments[0].Value.Syntax.ToString(), "a ring-buffer reservation", ReserveCheckHint(call.Arguments[0].Value) });
            if (record.Record >= 0) state = state.Close(record.Record);
            foreach (var a in call.Arguments.Skip(1)) Eval(a.Value, ref state, RefUse.Value);
            return Provenance.AnyScalar;
        }
        if (IsInlinable(m)) return Inline(call, ref state, use);

        var values = new List<Provenance>();
        foreach (var a in call.Arguments)
        {
            bool byRef = a.Parameter?.RefKind is RefKind.Ref or RefKind.In or RefKind.Out or RefKind.RefReadOnlyParameter;
            var value = Eval(a.Value, ref state, byRef ? RefUse.Reference : RefUse.Value);
            values.Add(value);
            if (byRef && a.Parameter?.RefKind != RefKind.Out) { CheckAccess(value, 0, a.Value.Syntax, state); state = Reported(state, value); }
            if (a.Parameter?.RefKind == RefKind.Out) Store(a.Value, Provenance.AnyScalar, ref state);
            if (a.Parameter is { } p && ApiCalls.IsSizeParameter(m, p) && value.Kind == ProvenanceKind.Scalar && !value.Bounded)
                _report?.Invoke(DiagnosticDescriptors.UnboundedHelperSize, a.Value.Syntax.GetLocation(), new object[] { a.Value.Syntax.ToString(), m.Name });
        }
        if (ApiCalls.IsLookup(m))
            return Deref(new Provenance(ProvenanceKind.MapValueOrNull), call, use, state);
        if (ApiCalls.IsInnerMapLookup(m)) return new Provenance(ProvenanceKind.InnerMapOrNull);
        if (ApiCalls.IsReserve(m))
        {
            int id = call.Syntax.SpanStart;
            state = state.Open(id, call.Syntax);
            return Deref(new Provenance(ProvenanceKind.RecordOrNull, Record: id), call, use, state);
        }
        if (ApiCalls.IsClamp(m)) return new(ProvenanceKind.Scalar, Bounded: values.Any(v => v.Bounded));
        return Provenance.AnyScalar;
    }

    /// <summary>A pointer-returning call read as a value (not taken by <c>ref</c>): its result is dereferenced at once.</summary>
    Provenance Deref(Provenance pointer, IOperation at, RefUse use, FlowState state)
    {
        if (use == RefUse.Reference) return pointer;
        CheckAccess(pointer, 0, at.Syntax, state);
        return Provenance.AnyScalar;
    }

    bool IsInlinable(IMethodSymbol m)
        => _depth < MaxInlineDepth && m.MethodKind == MethodKind.Ordinary && m.IsStatic
           && SymbolEqualityComparer.Default.Equals(m.ContainingType, _method.ContainingType)
           && !SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, _method.OriginalDefinition);

    /// <summary>A call of a method of the same object, followed as the compiler's inliner would: the callee's
    /// flow starts from the argument values and the caller's packet range and records; its exits give the
    /// caller's state after the call (by <c>ref</c> parameters, packet range, records).</summary>
    Provenance Inline(IInvocationOperation call, ref FlowState state, RefUse use)
    {
        var callee = call.TargetMethod;
        var args = new List<(IParameterSymbol Parameter, IOperation Value, Provenance Provenance)>();
        foreach (var a in call.Arguments)
        {
            if (a.Parameter is null) continue;
            bool byRef = a.Parameter.RefKind != RefKind.None;
            args.Add((a.Parameter, a.Value, Eval(a.Value, ref state, byRef ? RefUse.Reference : RefUse.Value)));
        }
        var cfg = _context.GraphOf(callee);
        if (cfg is null) return Provenance.AnyScalar;
        var entry = new FlowState(FlowState.Entry.Locals, FlowState.Entry.Captures, state.PacketRange, state.OpenRecords);
        foreach (var (p, _, value) in args) entry = entry.With(p.OriginalDefinition, value.From(p.OriginalDefinition));
        var inner = new MethodFlow(_context, callee.OriginalDefinition, cfg, _depth + 1);
        var states = inner.Solve(entry);
        // Dereferences in the callee of a value the caller passed unchecked: reported at the argument.
        if (_report is not null)
            foreach (var (p, value, provenance) in args)
                if (provenance.IsPointerOrNull && inner.Dereferences(states, p.OriginalDefinition))
                    _report(DiagnosticDescriptors.UncheckedPointer, value.Syntax.GetLocation(), new object[] { value.Syntax.ToString(), Describe(provenance), "check it before the call, or inside the called method before its first use" });
        var exits = inner.ExitStates(states).ToList();
        if (exits.Count == 0) return Provenance.AnyScalar;
        var after = exits.Select(e => e.State).Aggregate(FlowState.Join);
        var result = exits.Select(e => e.Result).Aggregate(Provenance.Join);
        var before = state;
        state = Merge(before, after, args);
        _inlineResults[call] = (exits.Select(e => Merge(before, e.WhenTrue, args)).Aggregate(FlowState.Join),
                                exits.Select(e => Merge(before, e.WhenFalse, args)).Aggregate(FlowState.Join));
        return callee.ReturnsByRef ? Deref(result, call, use, state) : result.Kind == ProvenanceKind.Scalar ? result : Provenance.AnyScalar;
    }

    readonly Dictionary<IInvocationOperation, (FlowState WhenTrue, FlowState WhenFalse)> _inlineResults = new();

    /// <summary>The caller's state after the callee ran: packet range and records from the callee's exit,
    /// and each argument local refined as the callee refined its parameter.</summary>
    static FlowState Merge(FlowState caller, FlowState calleeExit, List<(IParameterSymbol Parameter, IOperation Value, Provenance Provenance)> args)
    {
        var state = new FlowState(caller.Locals, caller.Captures, calleeExit.PacketRange, calleeExit.OpenRecords);
        foreach (var (p, value, provenance) in args)
        {
            if (provenance.Root is not { } root || value is not (ILocalReferenceOperation or IParameterReferenceOperation)) continue;
            var refined = calleeExit[p.OriginalDefinition];
            if (refined.Kind == provenance.Kind && refined.Kind != ProvenanceKind.Packet || refined.Kind == ProvenanceKind.Unknown) continue;
            if (refined.Kind == ProvenanceKind.Packet)
            {
                if (provenance.Kind == ProvenanceKind.Packet && refined.Checked > caller[root].Checked && provenance.Delta == 0)
                    state = state.With(root, caller[root] with { Checked = refined.Checked });
                continue;
            }
            state = state.With(root, refined with { Root = root });
        }
        return state;
    }

    /// <summary>Each way out of the method: the state, the returned value, and the states under which it is true and false.</summary>
    IEnumerable<(FlowState State, Provenance Result, FlowState WhenTrue, FlowState WhenFalse)> ExitStates(Dictionary<BasicBlock, FlowState> states)
    {
        foreach (var block in _cfg.Blocks)
        {
            if (!states.TryGetValue(block, out var state) || block.FallThroughSuccessor?.Destination?.Kind != BasicBlockKind.Exit) continue;
            if (block.ConditionKind != ControlFlowConditionKind.None) continue;
            foreach (var op in block.Operations) state = Effect(op, state);
            if (block.BranchValue is { } value)
            {
                var result = Eval(value, ref state, _method.ReturnsByRef ? RefUse.Reference : RefUse.Value);
                var (t, f) = Refine(value, state);
                yield return (state, result, t, f);
            }
            else yield return (state, Provenance.Unknown, state, state);
        }
    }

    /// <summary>Whether the method dereferences parameter <paramref name="p"/> while it may be null.</summary>
    bool Dereferences(Dictionary<BasicBlock, FlowState> states, IParameterSymbol p)
    {
        bool found = false;
        _report = (d, at, _, _) => { if (d == DiagnosticDescriptors.UncheckedPointer) found = true; };
        var probe = new Dictionary<BasicBlock, FlowState>();
        foreach (var pair in states) probe[pair.Key] = pair.Value;
        foreach (var block in _cfg.Blocks)
            if (probe.TryGetValue(block, out var state))
                foreach (var _ in Transfer(block, state)) { }
        _report = null;
        return found && states.Values.Any(s => s[p].IsPointerOrNull);
    }

    // ---- conditions ------------------------------------------------------------------------------

    /// <summary>The states when <paramref name="condition"/> is true and when it is false.</summary>
    (FlowState WhenTrue, FlowState WhenFalse) Refine(IOperation condition, FlowState state)
    {
        switch (condition)
        {
            case IParenthesizedOperation p:
                return Refine(p.Operand, state);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
            {
                var (t, f) = Refine(not.Operand, state);
                return (f, t);
            }
            case IFlowCaptureReferenceOperation capture when _captured.TryGetValue(capture.Id, out var original):
                return Refine(original, state);
            case IInvocationOperation call when ApiCalls.IsNullRefTest(call.TargetMethod) && call.Arguments.Length == 1:
            {
                var s = state;
                var value = Eval(call.Arguments[0].Value, ref s, RefUse.Reference);
                if (value.Root is not { } root) return (state, state);
                var isNull = state.With(root, new Provenance(ProvenanceKind.Null, Root: root));
                if (value.Record >= 0) isNull = isNull.Close(value.Record);
                var nonNull = value.Kind switch
                {
                    ProvenanceKind.MapValueOrNull => state.With(root, value with { Kind = ProvenanceKind.MapValue }),
                    ProvenanceKind.RecordOrNull => state.With(root, value with { Kind = ProvenanceKind.Record }),
                    _ => state,
                };
                return (isNull, nonNull);
            }
            case IInvocationOperation call when _inlineResults.TryGetValue(call, out var split):
                return split;
            case IIsPatternOperation { Pattern: IConstantPatternOperation constant } test when IsNullConstant(constant.Value):
                return SplitOnNull(test.Value, state);
            case IIsPatternOperation { Pattern: INegatedPatternOperation { Pattern: IConstantPatternOperation constant } } test when IsNullConstant(constant.Value):
            {
                var (isNull, nonNull) = SplitOnNull(test.Value, state);
                return (nonNull, isNull);
            }
            case IIsNullOperation { Operand: IFlowCaptureReferenceOperation capture }:
            {
                // The test of a null-conditional access (`Outer.Lookup(k)?.Update(x, v)`): the captured receiver.
                if (!state.Captures.TryGetValue(capture.Id, out var value) || value.Kind is not (ProvenanceKind.InnerMapOrNull or ProvenanceKind.InnerMap))
                    return (state, state);
                return (state.With(capture.Id, new Provenance(ProvenanceKind.Null)), state.With(capture.Id, value with { Kind = ProvenanceKind.InnerMap }));
            }
            case IBinaryOperation binary:
                return Compare(binary, state);
            default:
                return (state, state);
        }
    }

    (FlowState WhenTrue, FlowState WhenFalse) Compare(IBinaryOperation binary, FlowState state)
    {
        var s = state;
        var left = Eval(binary.LeftOperand, ref s, RefUse.Value);
        var right = Eval(binary.RightOperand, ref s, RefUse.Value);
        var kind = binary.OperatorKind;
        if (kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals && (IsNullConstant(binary.RightOperand) || IsNullConstant(binary.LeftOperand)))
        {
            var (isNull, nonNull) = SplitOnNull(IsNullConstant(binary.RightOperand) ? binary.LeftOperand : binary.RightOperand, state);
            return kind == BinaryOperatorKind.Equals ? (isNull, nonNull) : (nonNull, isNull);
        }
        switch (kind)
        {
            case BinaryOperatorKind.ConditionalAnd:
            {
                var (lt, lf) = Refine(binary.LeftOperand, state);
                var (rt, rf) = Refine(binary.RightOperand, lt);
                return (rt, FlowState.Join(lf, rf));
            }
            case BinaryOperatorKind.ConditionalOr:
            {
                var (lt, lf) = Refine(binary.LeftOperand, state);
                var (rt, rf) = Refine(binary.RightOperand, lf);
                return (FlowState.Join(lt, rt), rf);
            }
        }
        // Normalize to "left OP right" with left the packet pointer or the scalar being tested.
        if (right.Kind == ProvenanceKind.Packet || left.Kind != ProvenanceKind.Packet && binary.LeftOperand.ConstantValue.HasValue)
        {
            (left, right) = (right, left);
            kind = Swap(kind);
        }
        if (left.Kind == ProvenanceKind.Packet && right.Kind == ProvenanceKind.PacketEnd)
        {
            // p > end / p >= end: false means p <= end (p < end), so the bytes below p are readable.
            return kind switch
            {
                BinaryOperatorKind.GreaterThan => (state, Proven(state, left, 0)),
                BinaryOperatorKind.GreaterThanOrEqual => (state, Proven(state, left, 1)),
                BinaryOperatorKind.LessThanOrEqual => (Proven(state, left, 0), state),
                BinaryOperatorKind.LessThan => (Proven(state, left, 1), state),
                _ => (state, state),
            };
        }
        if (left.Kind == ProvenanceKind.Scalar && left.Root is { } root && ConstantOf(binary) is { } c)
        {
            FlowState Fact(bool bounded, bool nonZero)
                => state.With(root, left with { Bounded = left.Bounded || bounded, NonZero = left.NonZero || nonZero });
            return kind switch
            {
                BinaryOperatorKind.LessThan => (Fact(true, false), Fact(false, c > 0)),
                BinaryOperatorKind.LessThanOrEqual => (Fact(true, false), Fact(false, c >= 0)),
                BinaryOperatorKind.GreaterThan => (Fact(false, c >= 0), Fact(true, false)),
                BinaryOperatorKind.GreaterThanOrEqual => (Fact(false, c > 0), Fact(true, false)),
                BinaryOperatorKind.Equals => (Fact(true, c != 0), Fact(false, c == 0)),
                BinaryOperatorKind.NotEquals => (Fact(false, c == 0), Fact(true, c != 0)),
                _ => (state, state),
            };
        }
        return (state, state);
    }

    static bool IsNullConstant(IOperation op) => op.ConstantValue is { HasValue: true, Value: null };

    /// <summary>The states when an inner map (<c>inner == null</c>, <c>inner is null</c>) is null and when it is not.</summary>
    (FlowState IsNull, FlowState NonNull) SplitOnNull(IOperation tested, FlowState state)
    {
        var s = state;
        var value = Eval(tested, ref s, RefUse.Value);
        if (value.Kind is not (ProvenanceKind.InnerMapOrNull or ProvenanceKind.InnerMap) || value.Root is not { } root) return (state, state);
        return (state.With(root, new Provenance(ProvenanceKind.Null, Root: root)), state.With(root, value with { Kind = ProvenanceKind.InnerMap }));
    }

    static decimal? ConstantOf(IBinaryOperation binary)
    {
        var constant = binary.RightOperand.ConstantValue.HasValue ? binary.RightOperand.ConstantValue : binary.LeftOperand.ConstantValue;
        return constant.HasValue ? NumericConstant.Of(constant.Value) : null;
    }

    static BinaryOperatorKind Swap(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.LessThan => BinaryOperatorKind.GreaterThan,
        BinaryOperatorKind.LessThanOrEqual => BinaryOperatorKind.GreaterThanOrEqual,
        BinaryOperatorKind.GreaterThan => BinaryOperatorKind.LessThan,
        BinaryOperatorKind.GreaterThanOrEqual => BinaryOperatorKind.LessThanOrEqual,
        _ => kind,
    };

    /// <summary>The state once <c>p + extra &lt;= data_end</c> is known: the packet range (for a constant
    /// offset) and the checked length of the local p was read from.</summary>
    static FlowState Proven(FlowState state, Provenance p, int extra)
    {
        if (p.Offset is int offset && offset + extra > state.PacketRange) state = state.WithPacketRange(offset + extra);
        if (p.Root is { } root && state[root] is { Kind: ProvenanceKind.Packet } rootValue && p.Delta + extra > rootValue.Checked)
            state = state.With(root, rootValue with { Checked = p.Delta + extra });
        return state;
    }

    // ---- the checks ------------------------------------------------------------------------------

    /// <summary>A read or write of <paramref name="size"/> bytes through <paramref name="pointer"/> (0: a
    /// <c>ref</c> whose size the rule does not need).</summary>
    void CheckAccess(Provenance pointer, int size, SyntaxNode at, FlowState state)
    {
        if (_report is null) return;
        switch (pointer.Kind)
        {
            case ProvenanceKind.MapValueOrNull or ProvenanceKind.RecordOrNull:
                _report(DiagnosticDescriptors.UncheckedPointer, at.GetLocation(), new object[] { at.ToString(), Describe(pointer), CheckHint(pointer, at) });
                return;
            case ProvenanceKind.Null:
                _report(DiagnosticDescriptors.UncheckedPointer, at.GetLocation(), new object[] { at.ToString(), "a reference that Unsafe.IsNullRef just found null", "use it only on the branch where the test is false" });
                return;
            case ProvenanceKind.Packet:
            {
                int end = pointer.Offset is int off ? off + size : -1;
                bool safe = pointer.Offset is not null && end <= state.PacketRange
                            || pointer.Root is { } root && state[root] is { Kind: ProvenanceKind.Packet } r && pointer.Delta + size <= r.Checked;
                if (!safe)
                {
                    string need = pointer.Offset is not null
                        ? $"bytes {pointer.Offset}..{end} of the packet, but only {state.PacketRange} are checked"
                        : $"{size} bytes at a variable offset, but no check covers them";
                    string check = pointer.Offset is not null ? $"'if (data + {end} > data_end) return ...;'" : $"'if (p + {pointer.Delta + size} > data_end) return ...;' on this pointer";
                    _report(DiagnosticDescriptors.PacketOutOfRange, at.GetLocation(), new object[] { at.ToString(), need, check }, PacketCheck.For(pointer, size, state, _method, _context.Layouts));
                }
                return;
            }
        }
    }

    static string Describe(Provenance p) => p.Kind switch
    {
        ProvenanceKind.RecordOrNull => "a ring-buffer reservation",
        ProvenanceKind.InnerMapOrNull => "an inner map from a map of maps' Lookup",
        _ => "a map lookup",
    };

    static string CheckHint(Provenance p, SyntaxNode at)
        => p.Kind == ProvenanceKind.RecordOrNull ? ReserveCheckHint(null) : "test it first: 'if (Unsafe.IsNullRef(ref v)) return ...;', or copy the value out with TryGetValue";

    const string InnerMapCheckHint = "test it first: 'if (inner == null) return ...;' (the slot may be empty)";

    static string ReserveCheckHint(IOperation? _) => "test it first: 'if (Unsafe.IsNullRef(ref e)) return ...;' (the ring may be full)";

    void CheckTracepointField(IFieldReferenceOperation field)
    {
        if (_report is null || field.Field.ContainingType is not { } type) return;
        int offset = FieldOffset(type, field.Field);
        if (offset < Ebpf.Abi.AbiLimits.TracepointHiddenCommonBytes)
            _report(DiagnosticDescriptors.TracepointCommonField, field.Syntax.GetLocation(), new object[] { field.Field.Name, offset });
    }

    /// <summary>Each exit that leaves a reservation unreleased: reported at the exit.</summary>
    void ReportOpenRecords(BasicBlock block, FlowState exit)
    {
        if (_report is null || exit.OpenRecords.Count == 0) return;
        var at = ExitSyntax(block);
        foreach (var pair in exit.OpenRecords.OrderBy(p => p.Key))
        {
            var line = pair.Value.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            _report(DiagnosticDescriptors.UnreleasedRecord, at, new object[] { pair.Value.ToString(), line });
        }
    }

    /// <summary>Where a path leaves the method: its <c>return</c>, or the closing brace it falls off.</summary>
    Location ExitSyntax(BasicBlock block)
    {
        if (block.BranchValue is { } value)
            return (value.Syntax.FirstAncestorOrSelf<ReturnStatementSyntax>() ?? (SyntaxNode?)value.Syntax.FirstAncestorOrSelf<ArrowExpressionClauseSyntax>() ?? value.Syntax).GetLocation();
        var declaration = _method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        if (block.Operations.LastOrDefault()?.Syntax is { } last
            && last.FirstAncestorOrSelf<StatementSyntax>() is { Parent: BlockSyntax parent } statement
            && parent.Statements.SkipWhile(x => x != statement).Skip(1).FirstOrDefault() is ReturnStatementSyntax ret)
            return ret.GetLocation();
        return declaration is BaseMethodDeclarationSyntax { Body: { } body } ? body.CloseBraceToken.GetLocation() : (declaration ?? _cfg.OriginalOperation.Syntax).GetLocation();
    }

    /// <summary>A loop the verifier cannot prove ends: its condition compares a variable the loop changes
    /// with a number the verifier knows no bound of.</summary>
    void CheckLoopBound(BasicBlock block, FlowState state, Dictionary<BasicBlock, FlowState> states)
    {
        if (_report is null || block.BranchValue is not IBinaryOperation compare || block.ConditionKind == ControlFlowConditionKind.None) return;
        // The innermost loop (a back edge's range of blocks) this condition leaves.
        (int First, int Last)? loop = null;
        foreach (var b in _cfg.Blocks)
            foreach (var succ in new[] { b.FallThroughSuccessor, b.ConditionalSuccessor })
                if (succ?.Destination is { } d && d.Ordinal <= b.Ordinal && d.Ordinal <= block.Ordinal && block.Ordinal <= b.Ordinal
                    && (loop is null || b.Ordinal - d.Ordinal < loop.Value.Last - loop.Value.First))
                    loop = (d.Ordinal, b.Ordinal);
        if (loop is not var (first, last)) return;
        bool Leaves(ControlFlowBranch? branch) => branch?.Destination is { } d && (d.Ordinal < first || d.Ordinal > last);
        if (!Leaves(block.ConditionalSuccessor) && !Leaves(block.FallThroughSuccessor)) return;
        // Another way out of the loop (a second bound, a break) may be the one that ends it: report only
        // a loop whose sole exit is this comparison.
        int exits = 0;
        for (int i = first; i <= last; i++)
            if (Leaves(_cfg.Blocks[i].ConditionalSuccessor) || Leaves(_cfg.Blocks[i].FallThroughSuccessor)) exits++;
        if (exits != 1) return;
        var changed = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        for (int i = first; i <= last; i++)
            foreach (var op in _cfg.Blocks[i].Operations.Concat(_cfg.Blocks[i].BranchValue is { } bv ? new[] { bv } : Array.Empty<IOperation>()))
                foreach (var d in op.DescendantsAndSelf())
                    if (d is IAssignmentOperation { Target: ILocalReferenceOperation t }) changed.Add(t.Local);
                    else if (d is IIncrementOrDecrementOperation { Target: ILocalReferenceOperation u }) changed.Add(u.Local);
        var saved = _report;
        _report = null;
        foreach (var op in block.Operations) state = Effect(op, state);
        var s = state;
        var left = Eval(compare.LeftOperand, ref s, RefUse.Value);
        var right = Eval(compare.RightOperand, ref s, RefUse.Value);
        _report = saved;
        bool leftVaries = left.Root is { } lr && changed.Contains(lr);
        bool rightVaries = right.Root is { } rr && changed.Contains(rr);
        if (leftVaries && !rightVaries && right.Kind == ProvenanceKind.Scalar && !right.Bounded)
            _report(DiagnosticDescriptors.UnboundedLoop, compare.RightOperand.Syntax.GetLocation(), new object[] { compare.RightOperand.Syntax.ToString() });
        else if (rightVaries && !leftVaries && left.Kind == ProvenanceKind.Scalar && !left.Bounded)
            _report(DiagnosticDescriptors.UnboundedLoop, compare.LeftOperand.Syntax.GetLocation(), new object[] { compare.LeftOperand.Syntax.ToString() });
    }

    // ---- layout ----------------------------------------------------------------------------------

    /// <summary><c>*p</c> and <c>p[i]</c> on pointers: no public IOperation yet (OperationKind.None), recognized by syntax.</summary>
    static (IOperation Pointer, IOperation? Index, ITypeSymbol Pointee)? Dereference(IOperation op)
    {
        var children = op.ChildOperations.ToList();
        if (op.Syntax is PrefixUnaryExpressionSyntax u && u.IsKind(SyntaxKind.PointerIndirectionExpression)
            && children.Count == 1 && children[0].Type is IPointerTypeSymbol pt)
            return (children[0], null, pt.PointedAtType);
        if (op.Syntax is ElementAccessExpressionSyntax && children.Count == 2 && children[0].Type is IPointerTypeSymbol et)
            return (children[0], children[1], et.PointedAtType);
        return null;
    }

    /// <summary><c>p-&gt;f</c>: the pointer <c>p</c> and the struct that declares <c>f</c>.</summary>
    static (IOperation Pointer, INamedTypeSymbol Owner)? PointerMember(IFieldReferenceOperation field)
    {
        if (field.Syntax is not MemberAccessExpressionSyntax member || !member.IsKind(SyntaxKind.PointerMemberAccessExpression)) return null;
        if (field.Instance is not { Kind: OperationKind.None } indirection || field.Field.ContainingType is not { } owner) return null;
        var children = indirection.ChildOperations.ToList();
        return children.Count == 1 && children[0].Type is IPointerTypeSymbol ? (children[0], owner) : null;
    }

    /// <summary>What <c>p + 1</c> adds to the address: the pointee's size for a typed pointer, else 1.</summary>
    int ElementSize(ITypeSymbol? type)
        => type is IPointerTypeSymbol { PointedAtType: var pointee } && pointee.SpecialType != SpecialType.System_Void ? SizeOf(pointee) : 1;

    // A type outside the subset has no layout; the compiler reports it where it is declared or used, and the flow
    // analysis goes on with a pointer's size (and a field offset no check can cover).
    int SizeOf(ITypeSymbol type) => _context.Layouts.GetLayout(type)?.Size ?? TypeLayouts.PointerSize;
    int FieldOffset(INamedTypeSymbol type, IFieldSymbol field) => _context.Layouts.GetLayout(type)?.Find(field)?.Offset ?? int.MaxValue;
}
