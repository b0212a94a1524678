using Ebpf.Abi;
using Ebpf.Compiler.Codegen;
using Ebpf.Compiler.IR;
using Ebpf.Rules.Model;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using IrBlock = Ebpf.Compiler.IR.BasicBlock;

namespace Ebpf.Compiler.Frontend;

// Calls: kernel helpers ([BpfHelper]), map methods ([MapHelper]), packet accessors ([PacketRead] /
// [PacketWrite]), the BCL intrinsics of the one table (Model/Intrinsics.cs: Unsafe.IsNullRef, Interlocked.*,
// BinaryPrimitives.ReverseEndianness), and C# methods of the object (inlined or BPF-to-BPF calls).
internal sealed partial class MethodLowerer
{
    /// <summary>Lowers a call; returns its result (a pointer for <c>ref</c> returns), or null for void.</summary>
    Value? LowerInvocation(IInvocationOperation inv, bool resultNeeded, Place? returnInto = null)
    {
        var method = inv.TargetMethod;
        if (returnInto is not null && !KernelApi.HasSource(method))
            throw Error(DiagnosticDescriptors.CodegenUnsupportedCall, inv.Syntax, method.ToDisplayString(), "a struct result from a method without C# source");
        if (KernelApi.HelperId(method) is int helperId) return LowerHelperCall(inv, helperId);
        if (ConstrainedImplementation(inv) is { } implementation) return LowerSourceCall(implementation, inv.Instance, inv.Arguments, inv.Syntax, returnInto);
        if (KernelApi.MapHelperId(method) is int mapHelperId) return LowerMapCall(inv, mapHelperId);
        if (KernelApi.PacketRead(method) is { } read) return BoolFromBranches(inv, (t, f) => LowerPacketAccess(inv, read, write: false, t, f));
        if (KernelApi.PacketWrite(method) is { } write) return BoolFromBranches(inv, (t, f) => LowerPacketAccess(inv, write, write: true, t, f));
        if (KernelApi.ContextArgumentOffsets(method) is { } slots) return LowerContextArgument(inv, slots);
        if (KernelApi.ContextReturnValue(method) is { } ret) return LowerContextReturnValue(inv, ret);
        if (TryLowerCoreIntrinsic(inv, out var coreResult)) return coreResult;
        if (TryLowerIntrinsic(inv, out var result)) return result;
        if (KernelApi.KfuncName(method) is { } kfunc) return LowerKfuncCall(inv, kfunc);
        if (KernelApi.HasSource(method) && method.ContainingAssembly is { } asm
            && SymbolEqualityComparer.Default.Equals(asm, _context.Compilation.Assembly))
            return LowerSourceCall(inv, returnInto);
        throw Error(DiagnosticDescriptors.CodegenUnsupportedCall, inv.Syntax, method.ToDisplayString(),
            KernelApi.HasSource(method) ? "declared outside this compilation" : "no C# source, and not an Ebpf helper or a supported intrinsic");
    }

    /// <summary>An interface method called on a value of a type parameter (<c>shape.Area()</c> in
    /// <c>AreaOf&lt;T&gt;(in T shape) where T : struct, IShape</c>): once the method is compiled for a struct type
    /// argument, the call goes straight to that struct's implementation, which eBPF can call (no dispatch).</summary>
    IMethodSymbol? ConstrainedImplementation(IInvocationOperation inv)
    {
        if (inv.Instance?.Type is not ITypeParameterSymbol parameter || inv.TargetMethod.ContainingType.TypeKind != TypeKind.Interface) return null;
        var concrete = _substitution.Apply(parameter);
        if (concrete is ITypeParameterSymbol || !concrete.IsValueType) return null;
        return concrete.FindImplementationForInterfaceMember(inv.TargetMethod) is IMethodSymbol { IsGenericMethod: false } implementation
            && KernelApi.HasSource(implementation) ? implementation : null;
    }

    /// <summary>Calls that decide a branch by themselves (TryRead, TryGetValue): lowered as jumps to
    /// the targets instead of a materialized bool, so the bounds and null checks sit directly on the
    /// pointer registers the verifier tracks.</summary>
    bool TryLowerBranchingCall(IInvocationOperation inv, IrBlock ifTrue, IrBlock ifFalse)
    {
        var method = inv.TargetMethod;
        if (KernelApi.PacketRead(method) is { } read) { LowerPacketAccess(inv, read, write: false, ifTrue, ifFalse); return true; }
        if (KernelApi.PacketWrite(method) is { } write) { LowerPacketAccess(inv, write, write: true, ifTrue, ifFalse); return true; }
        if (KernelApi.MapHelperId(method) is int id && IsTryGetValue(method))
        {
            LowerTryGetValue(inv, id, ifTrue, ifFalse);
            return true;
        }
        return false;
    }

    /// <summary>A bool-returning call built from branches, used as a value: a join block with a phi.</summary>
    Value BoolFromBranches(IInvocationOperation inv, Action<IrBlock, IrBlock> lower)
    {
        var whenTrue = _function.AddBlock("true");
        var whenFalse = _function.AddBlock("false");
        var join = _function.AddBlock("join");
        lower(whenTrue, whenFalse);
        _b.Block = whenTrue;
        _b.Jump(join);
        _b.Block = whenFalse;
        _b.Jump(join);
        _b.Block = join;
        var phi = join.InsertPhi(new PhiInstruction(IrType.I1) { Location = _b.Location });
        phi.AddIncoming(whenTrue, Constant.Bool(true));
        phi.AddIncoming(whenFalse, Constant.Bool(false));
        return phi;
    }

    /// <summary>An argument passed by reference: the address of its place (a temporary for an rvalue).
    /// A context field passed <c>in</c> is copied first, since only the unmodified context pointer is valid.</summary>
    Value ArgumentAddress(IArgumentOperation arg)
    {
        var place = LowerPlace(arg.Value);
        if (place.Offset != 0 && place.Base.Type.Pointee == PointerKind.Context && arg.Parameter?.RefKind is RefKind.In or RefKind.RefReadOnlyParameter)
        {
            var copy = TempPlace(place.Type, "arg", arg.Syntax);
            if (IsAggregate(place.Type)) CopyStruct(copy, place, arg.Syntax);
            else StoreScalar(copy, LoadScalar(place, arg.Syntax));
            place = copy;
        }
        return AddressOf(place, arg.Syntax);
    }

    static bool IsReadOnlyReference(IParameterSymbol? p) => p?.RefKind is RefKind.In or RefKind.RefReadOnlyParameter;

    Value? LowerHelperCall(IInvocationOperation inv, int helperId)
    {
        var (args, readOnly) = LowerHelperArguments(inv, receiverMap: null);
        return EmitHelperCall(inv, helperId, inv.TargetMethod.Name, args, readOnly);
    }

    /// <summary>A <c>[Kfunc]</c> call: arguments as a helper's, then <c>call</c> with BPF_PSEUDO_KFUNC_CALL against the kernel function.</summary>
    Value? LowerKfuncCall(IInvocationOperation inv, string kfunc)
    {
        var (args, _) = LowerHelperArguments(inv, receiverMap: null);
        var method = inv.TargetMethod;
        if (args.Count > AbiLimits.MaxCallArguments) throw Error(DiagnosticDescriptors.TooManyCallArguments, inv.Syntax, method.Name, args.Count);
        IrType returnType = method.ReturnsVoid ? IrType.Void : ScalarType(method.ReturnType, inv.Syntax);
        var call = _b.Emit(new HelperCallInstruction(0, kfunc, returnType, args) { Kfunc = kfunc });
        return returnType.IsVoid ? null : call;
    }

    Value? EmitHelperCall(IInvocationOperation inv, int helperId, string name, List<Value> args, uint readOnly)
    {
        var method = inv.TargetMethod;
        if (args.Count > AbiLimits.MaxCallArguments) throw Error(DiagnosticDescriptors.TooManyCallArguments, inv.Syntax, method.Name, args.Count);
        // A ref result is the helper's pointer, checked for null by the program before use.
        IrType returnType = method.ReturnsVoid ? IrType.Void
            : method.ReturnsByRef || method.ReturnsByRefReadonly ? IrType.Pointer(PointerKind.MapValueOrNull)
            : ScalarType(method.ReturnType, inv.Syntax);
        var call = _b.Emit(new HelperCallInstruction(helperId, name, returnType, args, readOnly));
        return returnType.IsVoid ? null : call;
    }

    static bool IsMethodTypeParameter(ITypeSymbol type) => type is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method };

    /// <summary>The register arguments of a helper (a <c>Bpf.*</c> method or a map method), following
    /// the API's conventions:
    /// <list type="bullet">
    /// <item>a map (the receiver, or a map-typed parameter) is its <c>ld_imm64</c>; a method that only
    /// takes back a record by <c>ref T</c> and returns nothing (ring buffer submit and discard) passes no map;</item>
    /// <item><c>in</c>/<c>out</c>/<c>ref</c> arguments are addresses (<c>in</c> ones read-only); an <c>in</c>
    /// or <c>out</c> of a method type parameter T is followed by <c>sizeof(T)</c> (<c>ProbeReadKernel(out T, src)</c>
    /// is <c>bpf_probe_read_kernel(&amp;value, sizeof(T), src)</c>);</item>
    /// <item>a <c>ref T</c> result sized by the method's type argument (<c>Reserve&lt;T&gt;()</c>) passes
    /// <c>sizeof(T)</c> and zero flags after the other arguments;</item>
    /// <item>a context struct is the context pointer; scalars are values.</item>
    /// </list></summary>
    (List<Value> Args, uint ReadOnly) LowerHelperArguments(IInvocationOperation inv, MapReceiver? receiverMap)
    {
        var method = inv.TargetMethod;
        bool recordOnly = method.ReturnsVoid && method.OriginalDefinition.Parameters.Any(p => p.RefKind == RefKind.Ref && IsMethodTypeParameter(p.Type));
        var args = new List<Value>();
        uint readOnly = 0;
        // The map goes where the kernel's prototype has it: first, or after the parameters [MapHelper]'s
        // MapPosition counts (bpf_msg_redirect_map(msg, map, key, flags)).
        int mapPosition = receiverMap is null || recordOnly ? -1 : KernelApi.MapPosition(method);
        if (mapPosition == 0) args.Add(MapHandle(receiverMap!.Value));
        // Arguments are evaluated in source order (named ones may come early, defaults last) and passed in parameter order.
        var parts = new SortedList<int, (List<Value> Values, uint ReadOnly)>();
        foreach (var arg in inv.Arguments)
        {
            var part = new List<Value>();
            uint partReadOnly = 0;
            AddHelperArgument(inv, arg, recordOnly, part, ref partReadOnly);
            parts.Add(arg.Parameter!.Ordinal, (part, partReadOnly));
        }
        foreach (var (ordinal, (values, partReadOnly)) in parts)
        {
            readOnly |= partReadOnly << args.Count;
            args.AddRange(values);
            if (mapPosition > 0 && ordinal == mapPosition - 1) args.Add(MapHandle(receiverMap!.Value));
        }
        if ((method.ReturnsByRef || method.ReturnsByRefReadonly) && IsMethodTypeParameter(method.OriginalDefinition.ReturnType)
            && !method.OriginalDefinition.Parameters.Any(p => SymbolEqualityComparer.Default.Equals(p.Type, method.OriginalDefinition.ReturnType)))
        {
            args.Add(Constant.Int(IrType.I64, SizeOf(method.ReturnType, inv.Syntax)));
            args.Add(Constant.Int(IrType.I64, 0L));
        }
        return (args, readOnly);
    }

    void AddHelperArgument(IInvocationOperation inv, IArgumentOperation arg, bool recordOnly, List<Value> args, ref uint readOnly)
    {
        var method = inv.TargetMethod;
        var p = arg.Parameter!;
        var declared = method.OriginalDefinition.Parameters[p.Ordinal].Type;
        if (IsMap(p.Type))
        {
            if (recordOnly) return;
            args.Add(MapHandle(MapOperand(arg.Value) ?? throw Error(DiagnosticDescriptors.MapMethodReceiver, arg.Syntax, method.Name)));
        }
        else if (p.RefKind != RefKind.None && Unwrap(arg.Value) is IFieldReferenceOperation { Field: var field } && _context.Object.FindKernelVariable(field) is { } ksym)
            // A kernel variable is the kernel's `&var` (ld_imm64 BPF_PSEUDO_BTF_ID): the verifier knows its type and size.
            args.Add(_b.Emit(new KernelVariableAddressInstruction(ksym.Name)));
        else if (p.RefKind != RefKind.None)
        {
            if (IsReadOnlyReference(p)) readOnly |= 1u << args.Count;
            args.Add(ArgumentAddress(arg));
            if (p.RefKind != RefKind.Ref && IsMethodTypeParameter(declared))
                args.Add(Constant.Int(IrType.I64, SizeOf(p.Type, arg.Syntax)));
        }
        else if (p.Type.TypeKind == TypeKind.Delegate)
        {
            // A callback (bpf_loop, bpf_for_each_map_elem): the address of its BPF subprogram; the kernel's
            // callback_ctx follows, null when the C# overload takes no state.
            var callback = CallbackTarget(arg.Value, method.Name);
            args.Add(_b.Emit(new FunctionAddressInstruction(_context.Functions.IdOf(callback), SymbolNames.For(callback, _context.Object.Class))));
            var next = method.Parameters.ElementAtOrDefault(p.Ordinal + 1);
            if (next is null || next.RefKind == RefKind.None) args.Add(Constant.Null(IrType.Pointer(PointerKind.Stack)));
        }
        else if (IsSpan(p.Type))
        {
            // A span argument is the kernel's (pointer, size) pair.
            var (pointer, length) = LowerSpan(arg.Value);
            if (IsReadOnlySpan(p.Type)) readOnly |= 1u << args.Count;
            args.Add(pointer);
            args.Add(_b.Binary(BinaryOp.Mul, _b.Convert(length, IrType.I64, signed: false), Constant.Int(IrType.I64, SizeOf(SpanElement(p.Type), arg.Syntax))));
        }
        else if (IsContext(p.Type)) args.Add(LowerValue(arg.Value));
        else if (Unwrap(arg.Value) is IParameterReferenceOperation ctxParameter && IsContextParameter(ctxParameter))
            args.Add(_contextPointer!); // a tracepoint's record passed as the context: the context pointer itself
        else if (p.Type.SpecialType == SpecialType.System_String)
        {
            // A format literal: zero-terminated on the stack (trace_printk reads it from any memory),
            // followed by its size when it leads the kernel signature (fmt, fmt_size, ...).
            var (address, size) = StringOnStack(arg.Value);
            args.Add(address);
            if (p.Ordinal == 0) args.Add(Constant.Int(IrType.I64, size));
        }
        else if (IsMethodTypeParameter(declared) && Scalar(p.Type) is { IsInt: true })
            // A generic value (Printk's arguments) is widened to 64 bits by its own signedness.
            args.Add(ConvertScalar(LowerValue(arg.Value), IrType.I64, p.Type, arg.Syntax));
        else if (Scalar(p.Type) is { } type) args.Add(ConvertScalar(LowerValue(arg.Value), type, arg.Value.Type, arg.Syntax));
        else throw Error(DiagnosticDescriptors.CodegenUnsupportedType, arg.Syntax, p.Type.ToDisplayString(), $"as an argument of '{method.Name}' (use the overload taking a pointer and a size, or an out/in value)");
    }

    /// <summary>The method a helper calls back: a static lambda or a static method group of this compilation.</summary>
    IMethodSymbol CallbackTarget(IOperation value, string helper)
    {
        var op = Unwrap(value);
        while (op is IDelegateCreationOperation or IConversionOperation)
            op = op is IDelegateCreationOperation d ? d.Target : ((IConversionOperation)op).Operand;
        IMethodSymbol? target = op switch
        {
            Microsoft.CodeAnalysis.FlowAnalysis.IFlowAnonymousFunctionOperation lambda => lambda.Symbol,
            IAnonymousFunctionOperation lambda => lambda.Symbol,
            IMethodReferenceOperation reference => reference.Method,
            _ => null,
        };
        // A method group has no delegate type of its own to tell a map-element callback's leading map argument.
        if (op is IMethodReferenceOperation && value.Type?.OriginalDefinition.ToDisplayString() == "Ebpf.MapElementCallback<TKey, TValue, TState>")
            throw Error(DiagnosticDescriptors.CallbackNotStatic, value.Syntax, helper + " (pass a static lambda)");
        if (target is null || !target.IsStatic || !KernelApi.HasSource(target)
            || !SymbolEqualityComparer.Default.Equals(target.ContainingAssembly, _context.Compilation.Assembly))
            throw Error(DiagnosticDescriptors.CallbackNotStatic, value.Syntax, helper);
        return target;
    }

    /// <summary>The arguments of a map method in the order of its <paramref name="kernelForm"/>: its map
    /// parameter is the receiver, the others are the C# arguments of the same name.</summary>
    (List<Value> Args, uint ReadOnly) LowerInKernelOrder(IInvocationOperation inv, IMethodSymbol kernelForm, MapReceiver map)
    {
        var args = new List<Value>();
        uint readOnly = 0;
        foreach (var kp in kernelForm.Parameters)
        {
            if (IsMap(kp.Type)) { args.Add(MapHandle(map)); continue; }
            var arg = inv.Arguments.First(a => a.Parameter!.Name == kp.Name);
            AddHelperArgument(inv, arg, recordOnly: false, args, ref readOnly);
        }
        return (args, readOnly);
    }

    /// <summary>A constant string stored zero-terminated in a stack slot, 8 bytes per store.</summary>
    (Value Address, int Size) StringOnStack(IOperation literal)
    {
        literal = Unwrap(literal);
        if (literal.ConstantValue is not { HasValue: true, Value: string text })
            throw Unsupported(literal.Syntax, "a string that is not a constant (helpers take string literals)");
        var bytes = System.Text.Encoding.UTF8.GetBytes(text + "\0");
        int padded = (bytes.Length + 7) / 8 * 8;
        if (padded > 256) throw Unsupported(literal.Syntax, "a format string longer than 255 bytes");
        var slot = _function.AddSlot("format", padded, 8);
        var address = _b.FrameAddress(slot);
        var buffer = new byte[padded];
        bytes.CopyTo(buffer, 0);
        for (int offset = 0; offset < padded; offset += 8)
            _b.Store(address, offset, Constant.Int(IrType.I64, BitConverter.ToInt64(buffer, offset)), 8);
        return (address, bytes.Length);
    }

    // ---- maps --------------------------------------------------------------------------------

    /// <summary>The map a map method works on: a map field of the object (an <c>ld_imm64</c> of the map), or a map
    /// held in a local or parameter (an inner map a map of maps' <c>Lookup</c> returned), whose pointer is the map
    /// argument (the verifier's CONST_PTR_TO_MAP once the program checked it for NULL).</summary>
    readonly record struct MapReceiver(string Name, Value? Pointer);

    Value MapHandle(MapReceiver map) => map.Pointer ?? _b.Emit(new MapHandleInstruction(map.Name));

    MapReceiver? MapOperand(IOperation operand)
    {
        var op = Unwrap(operand);
        if (op is IFieldReferenceOperation { Field: { IsStatic: true } field })
            return _context.Object.FindMap(field) is { } map ? new MapReceiver(map.Name, null) : null;
        bool held = op is ILocalReferenceOperation { Local.RefKind: RefKind.None } or IParameterReferenceOperation { Parameter.RefKind: RefKind.None }
            or Microsoft.CodeAnalysis.FlowAnalysis.IFlowCaptureReferenceOperation;
        if (held && op.Type is { } type && IsMap(type))
            return new MapReceiver(op.Syntax.ToString(), LowerValue(op));
        return null;
    }

    MapReceiver MapOf(IInvocationOperation inv)
        => (inv.Instance is { } instance ? MapOperand(instance) : null)
           ?? throw Error(DiagnosticDescriptors.MapMethodReceiver, inv.Syntax, inv.TargetMethod.Name);

    /// <summary>What a map method called on an absent inner map gives in eBPF: the kernel's answer for a missing
    /// entry (-ENOENT), where C# would throw a NullReferenceException.</summary>
    const long MissingInnerMapResult = -2;

    /// <summary>The map of a map method, testing it first when the receiver is a map of maps' <c>Lookup</c> itself
    /// (<c>Outer.Lookup(k)!.Lookup(x)</c>): there is no local the program could test, and the verifier refuses a
    /// map argument that may be NULL, so the chain tests it. The builder continues where the inner map is present;
    /// <c>Missing</c> is the block where it is not (null for any other receiver), for the caller to finish.</summary>
    (MapReceiver Map, IrBlock? Missing) ReceiverOf(IInvocationOperation inv)
    {
        if (inv.Instance is not IInvocationOperation lookup || KernelApi.MapHelperId(lookup.TargetMethod) is null || !IsMap(lookup.Type!))
            return (MapOf(inv), null);
        var inner = LowerValue(lookup);
        var present = _function.AddBlock("inner_map");
        var missing = _function.AddBlock("no_inner_map");
        _b.Branch(_b.Compare(IR.Predicate.Ne, inner, Constant.Null(inner.Type)), present, missing);
        _b.Block = present;
        return (new MapReceiver(lookup.Syntax.ToString(), inner), missing);
    }

    /// <summary>Joins a chained call's result (<paramref name="result"/>, in the current block) with its
    /// <paramref name="missing"/> path: a null <c>ref</c>, false, or <see cref="MissingInnerMapResult"/>.</summary>
    Value? JoinMissingInnerMap(Value? result, IrBlock? missing)
    {
        if (missing is null) return result;
        var present = _b.Block;
        var join = _function.AddBlock("join");
        _b.Jump(join);
        _b.Block = missing;
        _b.Jump(join);
        _b.Block = join;
        if (result is null) return null;
        var phi = join.InsertPhi(new PhiInstruction(result.Type) { Location = _b.Location });
        phi.AddIncoming(present, result);
        phi.AddIncoming(missing, result.Type.IsPointer ? Constant.Null(result.Type)
            : result.Type == IrType.I1 ? Constant.Bool(false) : Constant.Int(result.Type, MissingInnerMapResult));
        return phi;
    }

    static bool IsTryGetValue(IMethodSymbol m)
        => m.ReturnType.SpecialType == SpecialType.System_Boolean && m.Parameters.Length == 2 && m.Parameters[1].RefKind == RefKind.Out;

    /// <summary>A map method: the map is R1 (<c>ld_imm64</c> of the map), <c>in</c> arguments are passed
    /// by address (the helper only reads them), values by value, a <c>ref</c> result is the helper's
    /// map-value-or-null pointer (see <see cref="LowerHelperArguments"/>).</summary>
    Value? LowerMapCall(IInvocationOperation inv, int helperId)
    {
        var method = inv.TargetMethod;
        if (IsTryGetValue(method)) return BoolFromBranches(inv, (t, f) => LowerTryGetValue(inv, helperId, t, f));
        var (map, missing) = ReceiverOf(inv);
        // Map methods taking the context order their C# parameters for defaults, not as the kernel does
        // (ctx, map, flags, data, size): the arguments follow the Bpf.* helper of the same id, which does.
        var kernelForm = KernelApi.KernelForm(method, helperId);
        if (kernelForm is null && method.OriginalDefinition.Parameters.Any(p => p.Name == "ctx"))
            throw Error(DiagnosticDescriptors.CodegenUnsupportedCall, inv.Syntax, method.ToDisplayString(),
                "this overload has no Bpf helper with the kernel's argument order (pass the data as an `in` value)");
        var (args, readOnly) = kernelForm is null ? LowerHelperArguments(inv, map) : LowerInKernelOrder(inv, kernelForm, map);
        return JoinMissingInnerMap(EmitHelperCall(inv, helperId, $"{map.Name}.{method.Name}", args, readOnly), missing);
    }

    /// <summary><c>TryGetValue(key, out value)</c>: a lookup, then the value copied out of the map
    /// (or cleared) on each side of the null check.</summary>
    void LowerTryGetValue(IInvocationOperation inv, int helperId, IrBlock ifTrue, IrBlock ifFalse)
    {
        var destination = LowerPlace(inv.Arguments[1].Value);
        var (map, missingMap) = ReceiverOf(inv);
        if (missingMap is not null)
        {
            var present = _b.Block;
            _b.Block = missingMap;
            ZeroFill(destination, inv.Syntax);
            _b.Jump(ifFalse);
            _b.Block = present;
        }
        var handle = MapHandle(map);
        var key = ArgumentAddress(inv.Arguments[0]);
        var pointer = _b.Emit(new HelperCallInstruction(helperId, $"{map.Name}.{inv.TargetMethod.Name}",
            IrType.Pointer(PointerKind.MapValueOrNull), new[] { handle, key }, readOnlyPointerArguments: 1u << 1));
        var found = _function.AddBlock("found");
        var missing = _function.AddBlock("missing");
        _b.Branch(_b.Compare(IR.Predicate.Ne, pointer, Constant.Null(pointer.Type)), found, missing);
        _b.Block = found;
        CopyInto(destination, new Place(pointer, 0, destination.Type), inv.Syntax);
        _b.Jump(ifTrue);
        _b.Block = missing;
        ZeroFill(destination, inv.Syntax);
        _b.Jump(ifFalse);
    }

    void CopyInto(Place destination, Place source, SyntaxNode at)
    {
        if (IsAggregate(destination.Type)) CopyStruct(destination, source, at);
        else StoreScalar(destination, LoadScalar(source, at));
    }

    // ---- packets -----------------------------------------------------------------------------

    /// <summary><c>TryRead&lt;T&gt;(offset, out value)</c> / <c>TryWrite&lt;T&gt;(offset, in value)</c>:
    /// <code>
    /// p = data + offset; if (p + sizeof(T) &gt; data_end) goto false; copy T between p and value; goto true
    /// </code>
    /// The comparison is made on <c>p + sizeof(T)</c> and the accesses go through <c>p</c>: both share
    /// the verifier's packet-pointer id, so the range proven by the comparison covers the accesses,
    /// also when <c>offset</c> is a bounded variable (<c>14 + ihl * 4</c>).</summary>
    void LowerPacketAccess(IInvocationOperation inv, (int Data, int DataEnd) fields, bool write, IrBlock ifTrue, IrBlock ifFalse)
    {
        if (inv.Instance is null) throw Unsupported(inv.Syntax, "a packet access without a context");
        var ctx = LowerValue(inv.Instance);
        if (ctx.Type.Pointee != PointerKind.Context) throw Unsupported(inv.Syntax, "a packet access through a copy of the context");
        var type = Resolve(inv.TargetMethod.TypeArguments[0]);
        int size = SizeOf(type, inv.Syntax);
        var offset = ConvertScalar(LowerValue(inv.Arguments[0].Value), IrType.I64, inv.Arguments[0].Value.Type, inv.Syntax);
        var other = LowerPlace(inv.Arguments[1].Value);

        var data = _b.Load(ctx, fields.Data, IrType.Pointer(PointerKind.Packet), 4);
        var dataEnd = _b.Load(ctx, fields.DataEnd, IrType.Pointer(PointerKind.PacketEnd), 4);
        var start = _b.PointerAdd(data, offset);
        var end = _b.PointerAdd(start, size);
        var inside = _function.AddBlock("in_bounds");
        var outside = _function.AddBlock("out_of_bounds");
        _b.Branch(_b.Compare(IR.Predicate.UGt, end, dataEnd), outside, inside);

        _b.Block = inside;
        var packet = new Place(start, 0, type);
        if (write) CopyInto(packet, other, inv.Syntax);
        else CopyInto(other, packet, inv.Syntax);
        _b.Jump(ifTrue);

        _b.Block = outside;
        if (!write) ZeroFill(other, inv.Syntax); // C#: the out value is default when the read fails
        _b.Jump(ifFalse);
    }

    // ---- context arguments -------------------------------------------------------------------

    /// <summary><c>ctx.Arg&lt;T&gt;(n)</c>: an 8-byte load of argument slot n (a constant) of the context.</summary>
    Value LowerContextArgument(IInvocationOperation inv, IReadOnlyList<int> slots)
    {
        var ctx = LowerValue(inv.Instance ?? throw Unsupported(inv.Syntax, "a context argument without a context"));
        if (inv.Arguments[0].Value.ConstantValue is not { HasValue: true, Value: int n })
            throw Unsupported(inv.Arguments[0].Syntax, "a context argument index that is not a constant");
        if (n < 0 || n >= slots.Count)
            throw Unsupported(inv.Arguments[0].Syntax, $"argument {n} (this context has {slots.Count})");
        return ContextArgument(ctx, slots[n], Resolve(inv.TargetMethod.TypeArguments[0]), inv.Syntax);
    }

    /// <summary><c>ctx.ReturnValue&lt;T&gt;()</c>: a load (kretprobe ax), or a helper writing a u64 on the stack (fexit's bpf_get_func_ret).</summary>
    Value LowerContextReturnValue(IInvocationOperation inv, (int Offset, int Helper) how)
    {
        var ctx = LowerValue(inv.Instance ?? throw Unsupported(inv.Syntax, "a return value without a context"));
        var type = Resolve(inv.TargetMethod.TypeArguments[0]);
        if (how.Offset >= 0) return ContextArgument(ctx, how.Offset, type, inv.Syntax);
        var temp = TempPlace(_context.Compilation.GetSpecialType(SpecialType.System_UInt64), "ret", inv.Syntax);
        _b.Emit(new HelperCallInstruction(how.Helper, "ReturnValue", IrType.I64, new[] { ctx, temp.Base }));
        var raw = LoadScalar(temp, inv.Syntax);
        var target = ScalarType(type, inv.Syntax);
        return target.IsPointer ? _b.Convert(raw, IrType.Pointer(PointerKind.Kernel), signed: false) : _b.Convert(raw, target, signed: false);
    }

    // ---- intrinsics --------------------------------------------------------------------------

    bool TryLowerIntrinsic(IInvocationOperation inv, out Value? result)
    {
        result = null;
        if (Intrinsics.Find(inv.TargetMethod) is not Intrinsic intrinsic) return false;
        switch (intrinsic)
        {
            case Intrinsic.IsNullRef:
            {
                // The null check of a map value: compared on the very pointer later dereferenced.
                var place = LowerPlace(inv.Arguments[0].Value);
                result = _b.Compare(IR.Predicate.Eq, place.Base, Constant.Null(place.Base.Type));
                return true;
            }
            case Intrinsic.InterlockedIncrement or Intrinsic.InterlockedDecrement or Intrinsic.InterlockedAdd or Intrinsic.InterlockedExchange
                or Intrinsic.InterlockedCompareExchange or Intrinsic.InterlockedAnd or Intrinsic.InterlockedOr or Intrinsic.InterlockedRead:
                result = LowerInterlocked(inv, intrinsic);
                return true;
            case Intrinsic.VolatileRead:
                result = LoadVolatile(LowerPlace(inv.Arguments[0].Value), inv.Syntax);
                return true;
            case Intrinsic.VolatileWrite:
                StoreScalar(LowerPlace(inv.Arguments[0].Value), LowerValue(inv.Arguments[1].Value));
                return true;
            case Intrinsic.ReverseEndianness:
            {
                var value = LowerValue(inv.Arguments[0].Value);
                int bits = SizeOf(inv.Arguments[0].Value.Type!, inv.Syntax) * 8;
                result = bits == 8 ? value : _b.ByteSwap(value, bits);
                return true;
            }
            case Intrinsic.SpanMember:
                throw Unsupported(inv.Syntax, $"'{inv.TargetMethod.ToDisplayString()}' (spans are not lowered yet: use a fixed buffer or a pointer)");
        }
        return false;
    }

    /// <summary><c>Interlocked.*</c> on a map value, a global or a stack variable: BPF atomics. The IR
    /// atomic returns the old value; instruction selection drops the fetch when nobody reads it.</summary>
    Value LowerInterlocked(IInvocationOperation inv, Intrinsic intrinsic)
    {
        var method = inv.TargetMethod;
        var place = LowerPlace(inv.Arguments[0].Value);
        if (place.Base.Type.Pointee is PointerKind.Context or PointerKind.Packet)
            throw Unsupported(inv.Syntax, "atomic operations on context or packet memory (the verifier rejects them)");
        int size = SizeOf(place.Type, inv.Syntax);
        var type = ScalarType(place.Type, inv.Syntax);
        if (size is not (4 or 8) || type.IsPointer)
            throw Unsupported(inv.Syntax, $"Interlocked.{method.Name} on '{place.Type.ToDisplayString()}' (BPF atomics are 32 or 64 bits)");
        Value Arg(int i) => ConvertScalar(LowerValue(inv.Arguments[i].Value), type, inv.Arguments[i].Value.Type, inv.Syntax);
        Value Atomic(AtomicOperation op, Value operand, Value? expected = null)
            => _b.Emit(new AtomicInstruction(op, place.Base, place.Offset, operand, expected, size));
        switch (intrinsic)
        {
            case Intrinsic.InterlockedIncrement:
                return _b.Binary(BinaryOp.Add, Atomic(AtomicOperation.Add, Constant.Int(type, 1L)), Constant.Int(type, 1L));
            case Intrinsic.InterlockedDecrement:
                return _b.Binary(BinaryOp.Sub, Atomic(AtomicOperation.Add, Constant.Int(type, -1L)), Constant.Int(type, 1L));
            case Intrinsic.InterlockedAdd:
            {
                var operand = Arg(1);
                return _b.Binary(BinaryOp.Add, Atomic(AtomicOperation.Add, operand), operand);
            }
            case Intrinsic.InterlockedExchange: return Atomic(AtomicOperation.Exchange, Arg(1));
            case Intrinsic.InterlockedCompareExchange: return Atomic(AtomicOperation.CompareExchange, Arg(1), Arg(2));
            case Intrinsic.InterlockedAnd: return Atomic(AtomicOperation.And, Arg(1));
            case Intrinsic.InterlockedOr: return Atomic(AtomicOperation.Or, Arg(1));
            case Intrinsic.InterlockedRead: return LoadVolatile(place, inv.Syntax);
        }
        throw new InvalidOperationException($"{intrinsic} is not an Interlocked intrinsic");
    }

    Value LoadVolatile(Place place, SyntaxNode at)
    {
        var type = ScalarType(place.Type, at);
        return _b.Emit(new LoadInstruction(place.Base, place.Offset, type, type.StoreSize) { IsVolatile = true });
    }

    // ---- calls of C# methods -----------------------------------------------------------------

    void LowerConstructorCall(IObjectCreationOperation creation, IMethodSymbol constructor, Place destination)
    {
        if (MemberwiseFields(constructor) is { } fields)
        {
            // A record struct's primary constructor, or a kernel-API struct's constructor that only stores
            // its parameters (LpmKey(prefixLength, data)): the stores themselves.
            for (int i = 0; i < creation.Arguments.Length; i++)
            {
                var arg = creation.Arguments[i];
                var field = fields[arg.Parameter!.Ordinal];
                var place = MemberPlace(destination, Resolve(constructor.ContainingType), field, arg.Syntax);
                if (IsAggregate(place.Type)) LowerInto(place, arg.Value);
                else StoreScalar(place, ConvertScalar(LowerValue(arg.Value), ScalarType(place.Type, arg.Syntax), arg.Value.Type, arg.Syntax), arg.Syntax);
            }
            return;
        }
        if (!KernelApi.HasSource(constructor) || !SymbolEqualityComparer.Default.Equals(constructor.ContainingAssembly, _context.Compilation.Assembly))
            throw Error(DiagnosticDescriptors.CodegenUnsupportedCall, creation.Syntax, constructor.ToDisplayString(), "a constructor without C# source");
        var args = new List<Value> { AddressOf(destination, creation.Syntax) };
        args.AddRange(LowerSourceArguments(creation.Arguments));
        if (args.Count > AbiLimits.MaxCallArguments) throw Error(DiagnosticDescriptors.TooManyCallArguments, creation.Syntax, constructor.ContainingType.Name, args.Count);
        _b.Emit(new FunctionCallInstruction(_context.Functions.IdOf(constructor), SymbolNames.For(constructor, _context.Object.Class), IrType.Void, args, KernelApi.IsNoInlining(constructor)));
    }

    /// <summary>The field each parameter of a memberwise constructor stores, or null: a positional record's
    /// primary constructor (parameter → property of the same name), or a constructor of the kernel API
    /// (no source here) whose every parameter names a field of its type.</summary>
    static IFieldSymbol[]? MemberwiseFields(IMethodSymbol constructor)
    {
        var type = constructor.ContainingType;
        var syntax = constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        bool primary = syntax is Microsoft.CodeAnalysis.CSharp.Syntax.RecordDeclarationSyntax;
        bool api = syntax is null && type.ContainingAssembly?.Name == "Ebpf";
        if (!primary && !api) return null;
        var fields = new IFieldSymbol[constructor.Parameters.Length];
        foreach (var p in constructor.Parameters)
        {
            var field = type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => !f.IsStatic && string.Equals(f.Name, p.Name, StringComparison.OrdinalIgnoreCase))
                ?? type.GetMembers(p.Name).OfType<IPropertySymbol>().Select(BackingField).FirstOrDefault(f => f is not null);
            if (field is null) return null;
            fields[p.Ordinal] = field;
        }
        return fields;
    }

    /// <summary>Arguments of a C# method: scalars by value, <c>ref</c>/<c>in</c>/<c>out</c> by address,
    /// a context struct as the context pointer, other structs as the address of a fresh copy.</summary>
    List<Value> LowerSourceArguments(IEnumerable<IArgumentOperation> arguments)
    {
        var args = new List<Value>();
        foreach (var arg in arguments)
        {
            var p = arg.Parameter!;
            if (p.RefKind != RefKind.None) args.Add(ArgumentAddress(arg));
            else if (Scalar(p.Type) is { } type)
                args.Add(IsContext(p.Type) ? LowerValue(arg.Value) : ConvertScalar(LowerValue(arg.Value), type, arg.Value.Type, arg.Syntax));
            else
            {
                var copy = TempPlace(p.Type, p.Name, arg.Syntax);
                LowerInto(copy, arg.Value);
                args.Add(copy.Base);
            }
        }
        return args;
    }

    /// <summary>A call of a method of the object. Arguments: scalars by value, <c>ref</c>/<c>in</c>/<c>out</c>
    /// by address, a context struct as the context pointer, other structs as the address of a fresh copy.</summary>
    Value? LowerSourceCall(IInvocationOperation inv, Place? returnInto)
        => LowerSourceCall(inv.TargetMethod, inv.Instance, inv.Arguments, inv.Syntax, returnInto);

    /// <summary>A computed property (<c>int Area => W * H</c>): a call of its getter.</summary>
    Value? LowerGetterCall(IPropertyReferenceOperation prop, Place? returnInto)
    {
        var getter = prop.Property.GetMethod ?? throw Unsupported(prop.Syntax, $"property '{prop.Property.Name}' without a getter");
        if (!KernelApi.HasSource(getter) || !SymbolEqualityComparer.Default.Equals(getter.ContainingAssembly, _context.Compilation.Assembly))
            throw Error(DiagnosticDescriptors.CodegenUnsupportedCall, prop.Syntax, getter.ToDisplayString(), "a property without C# source in this compilation");
        return LowerSourceCall(getter, prop.Instance, prop.Arguments, prop.Syntax, returnInto);
    }

    Value? LowerSourceCall(IMethodSymbol method, IOperation? instance, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, SyntaxNode syntax, Place? returnInto)
    {
        var inv = (Instance: instance, Arguments: arguments, Syntax: syntax);
        // A generic method is compiled once per list of type arguments (monomorphization).
        var target = _substitution.Apply(method);
        if (inv.Instance is not null && !target.ContainingType.IsValueType)
            throw Unsupported(inv.Syntax, $"instance method '{target.ToDisplayString()}' of a class");
        if (SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _method.OriginalDefinition))
            throw Error(DiagnosticDescriptors.Recursion, inv.Syntax, target.Name, "it calls itself");
        var args = new List<Value>();
        // A struct instance method receives the address of its receiver first (a copy for an rvalue).
        if (inv.Instance is not null) args.Add(AddressOf(LowerPlace(inv.Instance), inv.Instance.Syntax));
        bool structResult = !target.ReturnsVoid && !target.ReturnsByRef && !target.ReturnsByRefReadonly && IsAggregate(target.ReturnType);
        if (structResult)
            args.Add(AddressOf(returnInto ?? TempPlace(target.ReturnType, "result", inv.Syntax), inv.Syntax));
        args.AddRange(LowerSourceArguments(inv.Arguments));
        if (args.Count > AbiLimits.MaxCallArguments) throw Error(DiagnosticDescriptors.TooManyCallArguments, inv.Syntax, target.Name, args.Count);
        IrType returnType = target.ReturnsVoid || structResult ? IrType.Void
            : target.ReturnsByRef || target.ReturnsByRefReadonly ? IrType.Pointer(PointerKind.Unknown)
            : Scalar(target.ReturnType) ?? throw Unsupported(inv.Syntax, $"a call returning '{target.ReturnType.ToDisplayString()}'");
        var call = _b.Emit(new FunctionCallInstruction(_context.Functions.IdOf(target), SymbolNames.For(target, _context.Object.Class), returnType, args, KernelApi.IsNoInlining(target)));
        return returnType.IsVoid ? null : call;
    }
}
