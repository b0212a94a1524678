using Ebpf.Rules.Model;
using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Compiler.Frontend;

// Places (l-values), variables, flow captures, and copies of structs.
internal sealed partial class MethodLowerer
{
    /// <summary>The IR type last stored into each ref local, so reading it back keeps the pointer kind
    /// (a map value stays a map value) even before promotion replaces the load.</summary>
    readonly Dictionary<ILocalSymbol, IrType> _refLocalTypes = new(SymbolEqualityComparer.Default);

    /// <summary>The verifier kind of the pointers stored in pointer-typed variables (a <c>byte*</c> local
    /// holding <c>ctx.Data</c> is a packet pointer), so reads of the variable keep it before promotion.</summary>
    readonly Dictionary<StackSlot, IrType> _pointerKinds = new();

    /// <summary>Ref locals bound once (<c>ref ulong count = ref Counts.Lookup(pid);</c>) are another name for
    /// their place: no slot holds the address, so a ref to a context field (which has no address the
    /// verifier accepts) works too. Values of the place's base dominate every use, as C# requires the
    /// binding before any use.</summary>
    readonly Dictionary<ILocalSymbol, Place?> _refAliases = new(SymbolEqualityComparer.Default);

    void FindRefAliases(ControlFlowGraph cfg)
    {
        var bindings = new Dictionary<ILocalSymbol, int>(SymbolEqualityComparer.Default);
        foreach (var block in cfg.Blocks)
            foreach (var root in block.Operations)
                foreach (var op in root.DescendantsAndSelf())
                    if (op is ISimpleAssignmentOperation { IsRef: true, Target: ILocalReferenceOperation { Local: var local } })
                        bindings[local] = bindings.GetValueOrDefault(local) + 1;
        foreach (var (local, count) in bindings)
            if (count == 1) _refAliases[local] = null; // bound when the assignment is lowered
    }

    /// <summary>The storage an l-value operation designates. Rvalues (a literal passed as <c>in</c>,
    /// a struct returned by <c>new</c>) are materialized in a temporary slot.</summary>
    Place LowerPlace(IOperation op)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack(); // deep input: EBPF1907, never a crash
        switch (op)
        {
            case { ConstantValue.HasValue: true } when Scalar(op.Type!) is not null:
            {
                // A constant passed by reference (a class-level const as an `in` key): a temporary holding it.
                var temp = TempPlace(op.Type!, "tmp", op.Syntax);
                StoreScalar(temp, LowerValue(op));
                return temp;
            }
            case ILocalReferenceOperation l when l.Local.IsRef && _refAliases.TryGetValue(l.Local, out var alias):
                return alias ?? throw Unsupported(l.Syntax, $"ref local '{l.Local.Name}' used before it is bound");
            case ILocalReferenceOperation l:
            {
                var slot = SlotFor(l.Local, l.Syntax);
                var address = _b.FrameAddress(slot);
                if (!l.Local.IsRef) return new Place(address, 0, l.Local.Type);
                var type = _refLocalTypes.TryGetValue(l.Local, out var t) ? t : IrType.Pointer(PointerKind.Unknown);
                return new Place(_b.Load(address, 0, type, 8), 0, l.Local.Type);
            }
            case IParameterReferenceOperation p:
                return _parameters.TryGetValue(p.Parameter.OriginalDefinition, out var place)
                    ? place
                    : throw Unsupported(p.Syntax, $"parameter '{p.Parameter.Name}' here");
            case IFieldReferenceOperation f:
                return FieldPlace(f);
            case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } spanReceiver } indexer when IsSpan(spanReceiver.Type):
                return SpanElementPlace(indexer);
            case IPropertyReferenceOperation prop when KernelApi.Bitfield(prop.Property) is not null:
                // Reads are CO-RE loads (TryLowerCoreBitfieldRead); a place is only asked for to write it.
                throw Unsupported(prop.Syntax, $"writing bit-field '{prop.Property.Name}' of kernel type '{prop.Property.ContainingType.Name}' (bit-fields of kernel types are read-only in eBPF)");
            case IPropertyReferenceOperation { Instance: { } receiver } prop when BackingField(prop.Property) is { } backing:
                return MemberPlace(LowerPlace(receiver), receiver.Type!, backing, prop.Syntax);
            case IPropertyReferenceOperation prop when ContextFieldPlace(prop) is { } contextField:
                return contextField;
            case IInstanceReferenceOperation self when _thisPlace is not null:
                return _thisPlace with { Type = self.Type! };
            case IFlowCaptureReferenceOperation r:
                return _captures.PlaceOf(r, this);
            case IInvocationOperation inv when inv.TargetMethod.ReturnsByRef || inv.TargetMethod.ReturnsByRefReadonly:
                return new Place(LowerInvocation(inv, resultNeeded: true)!, 0, inv.Type!);
            case { Kind: OperationKind.None } when PointerDereference(op) is { } deref:
                return deref;
            case IInlineArrayAccessOperation ia:
                return ElementPlace(LowerPlace(ia.Instance), ia.Argument, ia.Type!, ia.Syntax);
            case IDeclarationExpressionOperation d:
                return LowerPlace(d.Expression);
            case IDiscardOperation d:
                return TempPlace(d.Type!, "discard", d.Syntax);
            case IConversionOperation { OperatorMethod: null } c when c.Type is { } ct && c.Operand.Type is { } ot
                                                                   && SymbolEqualityComparer.Default.Equals(ct, ot):
                return LowerPlace(c.Operand);
            default:
            {
                var type = op.Type ?? throw Unsupported(op.Syntax, $"an expression without a type ({op.Kind})");
                var temp = TempPlace(type, "tmp", op.Syntax);
                if (!IsAggregate(type)) StoreScalar(temp, LowerValue(op));
                else if (ProducesStructValue(op)) LowerInto(temp, op);
                else throw Unsupported(op.Syntax, $"a struct-valued expression of kind {op.Kind}");
                return temp;
            }
        }
    }

    /// <summary><c>*p</c> and <c>p[i]</c> on pointers in unsafe code. Roslyn has no public IOperation for
    /// them yet (they come as <see cref="OperationKind.None"/>), so they are recognized by syntax.</summary>
    Place? PointerDereference(IOperation op)
    {
        var children = op.ChildOperations.ToList();
        // `p->f`: the receiver of the field access is an implicit dereference of p.
        if (op.IsImplicit && children is [{ Type: IPointerTypeSymbol implicitPointer } pointer]
            && op.Type is { } pointee && SymbolEqualityComparer.Default.Equals(implicitPointer.PointedAtType, pointee))
            return new Place(LowerValue(pointer), 0, pointee);
        switch (op.Syntax)
        {
            case Microsoft.CodeAnalysis.CSharp.Syntax.PrefixUnaryExpressionSyntax u
                when u.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.PointerIndirectionExpression)
                     && children.Count == 1 && children[0].Type is IPointerTypeSymbol pt:
                return new Place(LowerValue(children[0]), 0, pt.PointedAtType);
            case Microsoft.CodeAnalysis.CSharp.Syntax.ElementAccessExpressionSyntax
                when children is [IFieldReferenceOperation { Field.IsFixedSizeBuffer: true } buffer, var index] && buffer.Type is IPointerTypeSymbol bt:
                // An element of a fixed buffer: an offset in the containing struct (also in the context).
                return ElementPlace(FieldPlace(buffer), index, bt.PointedAtType, op.Syntax);
            case Microsoft.CodeAnalysis.CSharp.Syntax.ElementAccessExpressionSyntax
                when children.Count == 2 && children[0].Type is IPointerTypeSymbol pt && children[1].Type is { } indexType:
                return new Place(OffsetPointer(LowerValue(children[0]), pt, LowerValue(children[1]), indexType, false, op.Syntax), 0, pt.PointedAtType);
            default:
                return null;
        }
    }

    /// <summary>Element <paramref name="index"/> of an array laid out from <paramref name="first"/> (a fixed
    /// buffer, an inline array, stackalloc memory): a constant index is a constant offset; a variable
    /// one is pointer arithmetic, which the verifier accepts on the stack and in map values once bounded.</summary>
    Place ElementPlace(Place first, IOperation index, ITypeSymbol elementType, SyntaxNode at)
    {
        int size = SizeOf(elementType, at);
        if (index.ConstantValue is { HasValue: true, Value: int n }) return first.Field(n * size, elementType);
        var offset = _b.Convert(LowerValue(index), IrType.I64, IsSigned(index.Type!));
        if (size != 1) offset = _b.Binary(BinaryOp.Mul, offset, Constant.Int(IrType.I64, size));
        return new Place(_b.PointerAdd(AddressOf(first, at), offset), 0, elementType);
    }

    Place FieldPlace(IFieldReferenceOperation f)
    {
        var field = f.Field;
        if (field.IsStatic)
        {
            if (field.IsConst) throw Unsupported(f.Syntax, $"the address of constant '{field.Name}'");
            if (IsMap(field.Type))
                throw Unsupported(f.Syntax, $"map '{field.Name}' used as a value (call its methods instead)");
            if (_context.Object.FindKernelVariable(field) is not null)
                throw Unsupported(f.Syntax, $"kernel variable '{field.Name}' read or written directly (pass it to Bpf.ThisCpuPtr or Bpf.PerCpuPtr)");
            var global = _context.Object.FindGlobal(field)
                ?? throw Error(DiagnosticDescriptors.ForeignStaticField, f.Syntax, field.ToDisplayString(), _context.Object.Name);
            var address = _b.Emit(new GlobalAddressInstruction(global.Section, (int)global.Offset, field.Name));
            return new Place(address, 0, field.Type);
        }
        if (f.Instance is null) throw Unsupported(f.Syntax, "a field without receiver");
        return MemberPlace(LowerPlace(f.Instance), f.Instance.Type!, field, f.Syntax);
    }

    /// <summary>The backing field of an auto-property (<c>public int X { get; set; }</c>), which is read and written like the field.</summary>
    /// <summary>A writable context field (<c>skb.Mark</c>) as the place <c>[ctx + offset]</c>, so assignments,
    /// compound assignments and <c>++</c> store into the context. Fields narrower than their C# type and the packet
    /// pointers are read-only: <see cref="LowerPropertyRead"/> reads them.</summary>
    Place? ContextFieldPlace(IPropertyReferenceOperation p)
    {
        if (p.Instance is null || p.Property.SetMethod is null || KernelApi.ContextField(p.Property) is not { } field) return null;
        if (Scalar(p.Type!) is not { IsPointer: false } type || type.StoreSize != field.Size) return null;
        var ctx = LowerValue(p.Instance);
        if (ctx.Type.Pointee != PointerKind.Context) throw Unsupported(p.Syntax, "a context field written through a copy of the context");
        return new Place(ctx, field.Offset, p.Type!);
    }

    static IFieldSymbol? BackingField(IPropertySymbol property)
        => property.ContainingType.GetMembers().OfType<IFieldSymbol>()
            .FirstOrDefault(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property.OriginalDefinition)
                              || SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    Place MemberPlace(Place receiver, ITypeSymbol receiverType, IFieldSymbol field, SyntaxNode at)
    {
        var layout = LayoutOf(receiverType, at);
        // A tuple element (named or not) is the ItemN field of the underlying ValueTuple.
        if (field.ContainingType.IsTupleType)
            field = layout.Type.GetMembers((field.CorrespondingTupleField ?? field).Name).OfType<IFieldSymbol>().FirstOrDefault() ?? field;
        // A field of a generic struct is a member of the struct over T; its layout is the one over the type arguments.
        var fieldLayout = layout.Find(field) ?? layout.Fields.FirstOrDefault(l => l.Field.Name == field.Name)
            ?? throw Unsupported(at, $"field '{field.Name}' (not in the layout of '{layout.Type.Name}')");
        // A fixed buffer's place is its first element.
        return receiver.Field(fieldLayout.Offset, field.IsFixedSizeBuffer ? fieldLayout.ElementType : field.Type);
    }

    StackSlot SlotFor(ILocalSymbol local, SyntaxNode at)
    {
        if (_locals.TryGetValue(local, out var slot)) return slot;
        slot = local.IsRef ? _function.AddSlot(local.Name, 8, 8)
            : IsSpan(local.Type) ? _function.AddSlot(local.Name, SpanSize, 8)
            : _function.AddSlot(local.Name, SizeOf(local.Type, at), SlotAlignment(local.Type, at));
        _locals[local] = slot;
        return slot;
    }

    /// <summary>Slots are aligned to the largest access that can hit them (up to 8 bytes), so every
    /// naturally aligned field is an aligned stack access for the verifier, even in packed structs.</summary>
    int SlotAlignment(ITypeSymbol type, SyntaxNode at)
    {
        int size = SizeOf(type, at);
        int natural = size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
        return Math.Max(AlignOf(type, at), natural);
    }

    Place TempPlace(ITypeSymbol type, string name, SyntaxNode at)
    {
        var slot = _function.AddSlot(name, SizeOf(type, at), SlotAlignment(type, at));
        return new Place(_b.FrameAddress(slot), 0, type);
    }

    /// <summary>The address of a place as a pointer value. A context field has none the verifier would
    /// accept (only <c>ldx [ctx + off]</c> is), so that is reported.</summary>
    Value AddressOf(Place place, SyntaxNode at)
    {
        if (place.Offset == 0) return place.Base;
        if (place.Base.Type.Pointee == PointerKind.Context)
            throw Error(DiagnosticDescriptors.ContextPointerArithmetic, at, at.ToString());
        return _b.PointerAdd(place.Base, place.Offset);
    }

    IrType ScalarType(ITypeSymbol type, SyntaxNode at)
        => Scalar(type) ?? throw Error(DiagnosticDescriptors.CodegenUnsupportedType, at, type.ToDisplayString(), "as a scalar value");

    Value LoadScalar(Place place, SyntaxNode at)
    {
        if (place.Base.Type.Pointee == PointerKind.Kernel) throw Error(DiagnosticDescriptors.KernelMemoryDereference, at, at.ToString());
        var type = ScalarType(place.Type, at);
        CheckStackAlignment(place, type, at);
        if (type.IsPointer && place is { Base: FrameAddressInstruction slot, Offset: 0 } && _pointerKinds.TryGetValue(slot.Slot, out var kind))
            type = kind;
        return _b.Load(place.Base, place.Offset, type, type.StoreSize);
    }

    /// <summary>The verifier rejects misaligned stack accesses (packet and map accesses may be misaligned on x86).</summary>
    void CheckStackAlignment(Place place, IrType type, SyntaxNode at)
    {
        if (place.Base.Type.Pointee == PointerKind.Stack && place.Offset % type.StoreSize != 0)
            throw Error(DiagnosticDescriptors.UnalignedStackAccess, at, at.ToString(), place.Offset, type.StoreSize);
    }

    void StoreScalar(Place place, Value value, SyntaxNode? at = null)
    {
        var type = Scalar(place.Type) ?? value.Type;
        if (at is not null) CheckStackAlignment(place, type, at);
        if (value.Type.IsPointer && place is { Base: FrameAddressInstruction slot, Offset: 0 })
            _pointerKinds[slot.Slot] = _pointerKinds.TryGetValue(slot.Slot, out var known) && known != value.Type ? IrType.Pointer(PointerKind.Unknown) : value.Type;
        _b.Store(place.Base, place.Offset, value, type.StoreSize);
    }

    /// <summary>Writes the struct value of <paramref name="op"/> into <paramref name="destination"/>.</summary>
    void LowerInto(Place destination, IOperation op)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack(); // deep input: EBPF1907, never a crash
        switch (op)
        {
            case IObjectCreationOperation oc:
                if (oc.Initializer is { Initializers.Length: > 0 })
                    throw Unsupported(oc.Syntax, "this object initializer");
                // C# clears a struct before its constructor runs; a constructor with code is then an
                // instance method called on the destination.
                ZeroFill(destination, oc.Syntax);
                if (oc.Constructor is { IsImplicitlyDeclared: false } constructor)
                    LowerConstructorCall(oc, constructor, destination);
                return;
            case IDefaultValueOperation d:
                ZeroFill(destination, d.Syntax);
                return;
            case IConversionOperation { OperatorMethod: null } c:
                LowerInto(destination, c.Operand);
                return;
            case ISimpleAssignmentOperation a:
                LowerAssignment(a);
                CopyStruct(destination, LowerPlace(a.Target), a.Syntax);
                return;
            case IInvocationOperation inv when !inv.TargetMethod.ReturnsByRef && !inv.TargetMethod.ReturnsByRefReadonly:
                // A method returning a struct writes it through a hidden pointer to the destination.
                LowerInvocation(inv, resultNeeded: false, returnInto: destination);
                return;
            case ITupleOperation tuple:
                LowerTupleInto(destination, tuple);
                return;
            case IPropertyReferenceOperation prop when BackingField(prop.Property) is null:
                LowerGetterCall(prop, destination);
                return;
            default:
                CopyStruct(destination, LowerPlace(op), op.Syntax);
                return;
        }
    }

    /// <summary>Operations whose struct value <see cref="LowerInto"/> builds rather than copies from a place.</summary>
    bool ProducesStructValue(IOperation op) => op switch
    {
        IObjectCreationOperation or IDefaultValueOperation or ISimpleAssignmentOperation or ITupleOperation => true,
        IConversionOperation { OperatorMethod: null } c => ProducesStructValue(c.Operand) || c.Operand is not IConversionOperation,
        IInvocationOperation inv => !inv.TargetMethod.ReturnsByRef && !inv.TargetMethod.ReturnsByRefReadonly,
        IPropertyReferenceOperation prop => BackingField(prop.Property) is null,
        _ => false,
    };

    /// <summary><c>(a, b)</c> into a <c>ValueTuple</c>: each element into its <c>ItemN</c> field (a nested tuple's <c>Rest</c> past seven).</summary>
    void LowerTupleInto(Place destination, ITupleOperation tuple)
    {
        var type = (INamedTypeSymbol)Resolve(destination.Type);
        for (int i = 0; i < tuple.Elements.Length; i++)
        {
            var element = TupleElementPlace(destination, type, i, tuple.Syntax);
            var value = tuple.Elements[i];
            if (IsAggregate(element.Type)) LowerInto(element, value);
            else StoreScalar(element, ConvertScalar(LowerValue(value), ScalarType(element.Type, value.Syntax), value.Type, value.Syntax), value.Syntax);
        }
    }

    /// <summary>Element <paramref name="index"/> of a value tuple stored at <paramref name="tuple"/>.</summary>
    Place TupleElementPlace(Place tuple, INamedTypeSymbol type, int index, SyntaxNode at)
    {
        if (index >= 7)
        {
            var rest = type.GetMembers("Rest").OfType<IFieldSymbol>().FirstOrDefault() ?? throw Unsupported(at, "a tuple element past the seventh");
            return TupleElementPlace(MemberPlace(tuple, type, rest, at), (INamedTypeSymbol)rest.Type, index - 7, at);
        }
        var field = type.GetMembers($"Item{index + 1}").OfType<IFieldSymbol>().FirstOrDefault()
            ?? throw Unsupported(at, $"element {index + 1} of tuple '{type.ToDisplayString()}'");
        return MemberPlace(tuple, type, field, at);
    }

    /// <summary><c>(x, y) = value</c>: the value is evaluated whole into a temporary first (so <c>(x, y) = (y, x)</c>
    /// swaps), then each element goes to its target; discards are skipped, nested tuples recurse.</summary>
    void LowerDeconstruction(IDeconstructionAssignmentOperation d)
    {
        var valueType = d.Value.Type ?? throw Unsupported(d.Syntax, "a deconstruction without a type");
        if (!valueType.IsTupleType) throw Unsupported(d.Value.Syntax, $"deconstructing '{valueType.ToDisplayString()}' (only tuples are deconstructed)");
        var temp = TempPlace(valueType, "tuple", d.Syntax);
        LowerInto(temp, d.Value);
        var target = d.Target is IDeclarationExpressionOperation decl ? decl.Expression : d.Target;
        AssignTupleElements(target, temp, d.Syntax);
    }

    void AssignTupleElements(IOperation target, Place source, SyntaxNode at)
    {
        if (target is not ITupleOperation targets) throw Unsupported(at, $"deconstruction into {target.Kind}");
        var type = (INamedTypeSymbol)Resolve(source.Type);
        for (int i = 0; i < targets.Elements.Length; i++)
        {
            var element = TupleElementPlace(source, type, i, at);
            var t = targets.Elements[i] is IDeclarationExpressionOperation inner ? inner.Expression : targets.Elements[i];
            switch (t)
            {
                case IDiscardOperation:
                    continue;
                case ITupleOperation:
                    AssignTupleElements(t, element, at);
                    continue;
                default:
                {
                    var place = LowerPlace(t);
                    if (IsAggregate(place.Type)) CopyStruct(place, element, at);
                    else StoreScalar(place, ConvertScalar(LoadScalar(element, at), ScalarType(place.Type, at), element.Type, at), t.Syntax);
                    continue;
                }
            }
        }
    }

    /// <summary>The pieces a struct is copied or cleared in: its scalar fields (recursively), and
    /// aligned chunks of at most 8 bytes for padding, fixed buffers and overlapping (explicit) fields.
    /// Copying by field is what lets promotion turn struct locals into registers.</summary>
    List<(int Offset, IrType Type)> Pieces(ITypeSymbol type, SyntaxNode at)
    {
        var pieces = new List<(int Offset, IrType Type)>();
        int size = SizeOf(type, at);
        if (Scalar(type) is { } scalar)
        {
            pieces.Add((0, scalar));
            return pieces;
        }
        var leaves = new List<(int Offset, IrType Type)>();
        CollectLeaves(type, 0, leaves, at);
        leaves.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        bool overlapping = false;
        for (int i = 1; i < leaves.Count; i++)
            if (leaves[i].Offset < leaves[i - 1].Offset + leaves[i - 1].Type.StoreSize) overlapping = true;
        if (overlapping) leaves.Clear();

        int pos = 0;
        foreach (var leaf in leaves)
        {
            AddChunks(pieces, pos, leaf.Offset);
            pieces.Add(leaf);
            pos = leaf.Offset + leaf.Type.StoreSize;
        }
        AddChunks(pieces, pos, size);
        return pieces;
    }

    void CollectLeaves(ITypeSymbol type, int baseOffset, List<(int Offset, IrType Type)> leaves, SyntaxNode at)
    {
        foreach (var field in LayoutOf(type, at).Fields)
        {
            int offset = baseOffset + field.Offset;
            if (field.ElementCount > 1) continue; // fixed buffers and inline arrays: copied as chunks
            if (Scalar(field.Field.Type) is { } s)
            {
                // A misaligned field (Pack = 1) is copied as aligned chunks: stack accesses must be aligned.
                if (offset % s.StoreSize == 0) leaves.Add((offset, s));
            }
            else CollectLeaves(field.Field.Type, offset, leaves, at);
        }
    }

    static void AddChunks(List<(int Offset, IrType Type)> pieces, int from, int to)
    {
        while (from < to)
        {
            int size = 8;
            while (size > 1 && (from % size != 0 || from + size > to)) size /= 2;
            pieces.Add((from, IrType.Int(size * 8)));
            from += size;
        }
    }

    void CopyStruct(Place destination, Place source, SyntaxNode at)
    {
        if (destination == source) return;
        var loaded = new List<(int Offset, Value Value)>();
        // Load everything first: source and destination may overlap (a = a.Inner).
        foreach (var (offset, type) in Pieces(destination.Type, at))
            loaded.Add((offset, _b.Load(source.Base, source.Offset + offset, type, type.StoreSize)));
        foreach (var (offset, value) in loaded)
            _b.Store(destination.Base, destination.Offset + offset, value, value.Type.StoreSize);
    }

    void ZeroFill(Place destination, SyntaxNode at)
    {
        foreach (var (offset, type) in Pieces(destination.Type, at))
            _b.Store(destination.Base, destination.Offset + offset, Constant.Int(type, 0L), type.StoreSize);
    }

    // ---- assignments -------------------------------------------------------------------------

    /// <summary>Lowers <c>target = value</c> and returns the stored value (null for structs and ref assignments).</summary>
    Value? LowerAssignment(ISimpleAssignmentOperation a)
    {
        if (a.IsRef)
        {
            if (a.Target is not ILocalReferenceOperation { Local.IsRef: true } local)
                throw Unsupported(a.Syntax, "ref reassignment of anything but a ref local");
            if (_refAliases.ContainsKey(local.Local))
            {
                _refAliases[local.Local] = LowerPlace(a.Value);
                return null;
            }
            var address = AddressOf(LowerPlace(a.Value), a.Value.Syntax);
            var slot = SlotFor(local.Local, local.Syntax);
            _b.Store(_b.FrameAddress(slot), 0, address, 8);
            _refLocalTypes[local.Local] = address.Type;
            return null;
        }
        var target = LowerPlace(a.Target);
        if (IsSpan(target.Type))
        {
            StoreSpan(target, a.Value);
            return null;
        }
        if (IsAggregate(target.Type))
        {
            LowerInto(target, a.Value);
            return null;
        }
        var value = ConvertScalar(LowerValue(a.Value), ScalarType(target.Type, a.Syntax), a.Value.Type, a.Syntax);
        StoreScalar(target, value, a.Target.Syntax);
        return value;
    }

    // ---- flow captures -----------------------------------------------------------------------

    /// <summary>Operations evaluated where they are used rather than where Roslyn captures them: they have
    /// no side effects and their meaning to a call depends on what they are (a map field, a literal, the context).</summary>
    bool IsDeferrable(IOperation value) => value switch
    {
        { ConstantValue.HasValue: true } => true,
        IFieldReferenceOperation { Field: { IsStatic: true } field } => IsMap(field.Type),
        IParameterReferenceOperation p => IsContextParameter(p),
        _ => false,
    };

    /// <summary>The operation behind a deferred flow capture, or <paramref name="op"/> itself.</summary>
    IOperation Unwrap(IOperation op)
    {
        while (op is IFlowCaptureReferenceOperation r && _captures.Deferred(r) is { } deferred) op = deferred;
        return op;
    }

    /// <summary>The entry program's context parameter (<c>XdpContext ctx</c>, a tracepoint's <c>in T args</c>).</summary>
    bool IsContextParameter(IParameterReferenceOperation p)
        => _contextPointer is not null && p.Parameter.Ordinal == 0 && SymbolEqualityComparer.Default.Equals(p.Parameter.ContainingSymbol, _method);

    void LowerCapture(IFlowCaptureOperation capture) => _captures.Define(capture, this);

    /// <summary>Roslyn's flow captures: temporaries that carry a value (or a location) from one point
    /// of the CFG to a later one. A capture later used as an assignment target, a <c>ref</c> argument or
    /// a receiver stands for the location, not the value (roslyn-analyzers has the same distinction in
    /// <c>LValueFlowCapturesProvider</c>). A capture defined in one block only is kept as the IR value
    /// or place itself; one defined on several paths (<c>?:</c>) goes through a slot, which promotion
    /// turns into a phi.</summary>
    sealed class CaptureTable
    {
        readonly HashSet<CaptureId> _lvalues = new();
        /// <summary>Captures with a definition that is a value, not a location (<c>c ? x : 7</c>): on every path
        /// they hold the value, so no path stores an address where another stored a number.</summary>
        readonly HashSet<CaptureId> _valueDefined = new();
        readonly Dictionary<CaptureId, int> _definitions = new();
        readonly Dictionary<CaptureId, object> _bound = new();

        public CaptureTable(ControlFlowGraph cfg)
        {
            foreach (var block in cfg.Blocks)
            {
                var roots = block.Operations.AsEnumerable();
                if (block.BranchValue is not null) roots = roots.Append(block.BranchValue);
                foreach (var root in roots)
                    foreach (var op in root.DescendantsAndSelf())
                    {
                        if (op is IFlowCaptureOperation c)
                        {
                            _definitions[c.Id] = _definitions.GetValueOrDefault(c.Id) + 1;
                            if (!IsLocation(c.Value)) _valueDefined.Add(c.Id);
                        }
                        if (op is IFlowCaptureReferenceOperation r && IsUsedAsLocation(r)) _lvalues.Add(r.Id);
                    }
            }
        }

        static bool IsUsedAsLocation(IFlowCaptureReferenceOperation r) => r.Parent switch
        {
            ISimpleAssignmentOperation a => a.Target == r || (a.IsRef && a.Value == r),
            ICompoundAssignmentOperation c => c.Target == r,
            IIncrementOrDecrementOperation i => i.Target == r,
            IArgumentOperation arg => arg.Parameter?.RefKind is RefKind.Ref or RefKind.Out or RefKind.In or RefKind.RefReadOnlyParameter,
            IAddressOfOperation => true,
            IFieldReferenceOperation f => f.Instance == r,
            IInvocationOperation inv => inv.Instance == r,
            _ => false,
        };

        static bool IsLocation(IOperation op) => op is ILocalReferenceOperation or IParameterReferenceOperation
            or IFieldReferenceOperation or IFlowCaptureReferenceOperation or { Kind: OperationKind.None }
            || op is IInvocationOperation inv && (inv.TargetMethod.ReturnsByRef || inv.TargetMethod.ReturnsByRefReadonly);

        bool SingleDefinition(CaptureId id) => _definitions.GetValueOrDefault(id) <= 1;

        public void Define(IFlowCaptureOperation capture, MethodLowerer m)
        {
            var id = capture.Id;
            var value = capture.Value;
            var type = value.Type;
            if (SingleDefinition(id) && m.IsDeferrable(value))
            {
                // Roslyn captures the operands before a `?:`, `&&` or `||` in an argument list; a map, a
                // literal or the context is not a value to compute early but what the call needs to see.
                _bound[id] = value;
                return;
            }
            if (type is not null && m.IsAggregate(type))
            {
                if (_lvalues.Contains(id) && IsLocation(value) && SingleDefinition(id))
                {
                    _bound[id] = m.LowerPlace(value);
                    return;
                }
                // A struct value (new T { ... } initializers write into it): its own slot. A struct
                // defined on several paths (c ? s1 : s2) shares one slot, addressed afresh in each block.
                if (!_bound.TryGetValue(id, out var existing) || existing is not StructCapture structCapture)
                {
                    structCapture = new StructCapture(m._function.AddSlot("capture", m.SizeOf(type, value.Syntax), m.SlotAlignment(type, value.Syntax)), type);
                    _bound[id] = structCapture;
                }
                m.LowerInto(structCapture.PlaceIn(m), value);
                return;
            }
            if (_lvalues.Contains(id) && SingleDefinition(id) && value is IPropertyReferenceOperation property
                && m.ContextFieldPlace(property) is { } contextField)
            {
                // `skb.Mark = c ? a : b`: Roslyn captures the target before the branches; it is the context field.
                _bound[id] = contextField;
                return;
            }
            if (_lvalues.Contains(id) && IsLocation(value) && !_valueDefined.Contains(id))
            {
                var place = m.LowerPlace(value);
                if (SingleDefinition(id)) _bound[id] = place;
                else StoreInSlot(id, m.AddressOf(place, value.Syntax), m, location: place.Type);
                return;
            }
            var v = m.LowerValue(value);
            if (SingleDefinition(id)) _bound[id] = v;
            else StoreInSlot(id, v, m, location: null);
        }

        void StoreInSlot(CaptureId id, Value v, MethodLowerer m, ITypeSymbol? location)
        {
            if (!_bound.TryGetValue(id, out var existing) || existing is not CaptureSlot slot)
            {
                slot = new CaptureSlot(m._function.AddSlot("capture", 8, 8), v.Type, location);
                _bound[id] = slot;
            }
            m._b.Store(m._b.FrameAddress(slot.Slot), 0, v, slot.Type.StoreSize);
        }

        public Place PlaceOf(IFlowCaptureReferenceOperation r, MethodLowerer m)
        {
            switch (_bound.GetValueOrDefault(r.Id))
            {
                case IOperation deferred: return m.LowerPlace(deferred);
                case Place p: return p;
                case StructCapture s: return s.PlaceIn(m);
                case CaptureSlot { Location: { } type } s:
                    return new Place(m._b.Load(m._b.FrameAddress(s.Slot), 0, s.Type, 8), 0, type);
                case null: throw m.Unsupported(r.Syntax, "a flow capture used before its definition");
                default:
                {
                    // A captured value needed as a location (an `in` argument): a temporary copy.
                    var temp = m.TempPlace(r.Type!, "tmp", r.Syntax);
                    m.StoreScalar(temp, ValueOf(r, m));
                    return temp;
                }
            }
        }

        public Value ValueOf(IFlowCaptureReferenceOperation r, MethodLowerer m) => _bound.GetValueOrDefault(r.Id) switch
        {
            Value v => v,
            IOperation deferred => m.LowerValue(deferred),
            Place p => m.LoadScalar(p, r.Syntax),
            CaptureSlot { Location: null } s => m._b.Load(m._b.FrameAddress(s.Slot), 0, s.Type, s.Type.StoreSize),
            CaptureSlot { Location: { } type } s => m.LoadScalar(new Place(m._b.Load(m._b.FrameAddress(s.Slot), 0, s.Type, 8), 0, type), r.Syntax),
            _ => throw m.Unsupported(r.Syntax, "a flow capture used before its definition"),
        };

        /// <summary>The operation a capture stands for when it was deferred (see <see cref="Define"/>).</summary>
        public IOperation? Deferred(IFlowCaptureReferenceOperation r) => _bound.GetValueOrDefault(r.Id) as IOperation;

        /// <summary>A capture assigned on several paths; <see cref="Location"/> is set when it holds an address.</summary>
        sealed record CaptureSlot(StackSlot Slot, IrType Type, ITypeSymbol? Location);

        /// <summary>A struct-valued capture: its slot, addressed where it is used.</summary>
        sealed record StructCapture(StackSlot Slot, ITypeSymbol Type)
        {
            public Place PlaceIn(MethodLowerer m) => new(m._b.FrameAddress(Slot), 0, Type);
        }
    }
}
