using Ebpf.Rules.Model;
using Ebpf.Abi;
using Ebpf.Compiler.Codegen;
using Ebpf.Compiler.IR;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using FlowBlock = Microsoft.CodeAnalysis.FlowAnalysis.BasicBlock;
using IrBlock = Ebpf.Compiler.IR.BasicBlock;

namespace Ebpf.Compiler.Frontend;

/// <summary>Lowers one C# method body to IR, from Roslyn's control-flow graph
/// (<c>ControlFlowGraph.Create(IMethodBodyOperation)</c>): loops, <c>&amp;&amp;</c>/<c>||</c>, <c>?:</c>,
/// <c>switch</c> and patterns already arrive as branches between blocks; this class lowers what
/// remains (assignments, compound assignment, <c>++</c>, conversions, calls, flow captures).</summary>
/// <remarks>
/// Every C# variable is a stack slot here, read and written with loads and stores, the way clang
/// -O0 treats locals: the frontend stays simple and the promotion to SSA registers is one pass
/// (<see cref="Passes.PromoteMemoryToRegisters"/>). Statements that cannot be lowered report a
/// located diagnostic and lowering continues with the next statement, so a method reports all of
/// its problems at once; the function is then discarded.
/// </remarks>
internal sealed partial class MethodLowerer
{
    readonly CodegenContext _context;
    readonly IMethodSymbol _method;
    readonly ICollection<Diagnostic> _diagnostics;
    readonly IrFunction _function;
    readonly IrBuilder _b;
    readonly TypeSubstitution _substitution;
    readonly Dictionary<ILocalSymbol, StackSlot> _locals = new(SymbolEqualityComparer.Default);
    readonly Dictionary<IParameterSymbol, Place> _parameters = new(SymbolEqualityComparer.Default);
    readonly Dictionary<FlowBlock, IrBlock> _blocks = new();
    readonly Dictionary<(SyntaxTree, int), string> _lineTexts = new();
    CaptureTable _captures = null!;
    /// <summary>Where a method returning a struct writes its result: the caller's location, passed as a hidden argument.</summary>
    Place? _returnPlace;
    /// <summary>The receiver of a struct instance method: its address is the first argument.</summary>
    Place? _thisPlace;
    bool _failed;
    /// <summary>R1 of an entry program: the context, whatever C# type stands for it.</summary>
    Parameter? _contextPointer;
    /// <summary>The block a void method's early returns jump to.</summary>
    IrBlock? _exitBlock;

    MethodLowerer(IMethodSymbol method, IrType returnType, bool isEntryProgram, CodegenContext context, ICollection<Diagnostic> diagnostics,
        TypeSubstitution substitution)
    {
        _method = method;
        _substitution = substitution;
        _context = context;
        _diagnostics = diagnostics;
        _function = new IrFunction(SymbolNames.For(method, context.Object.Class), returnType, isEntryProgram) { AlwaysInline = KernelApi.IsAggressiveInlining(method) };
        _b = new IrBuilder(_function);
    }

    /// <summary>The IR of <paramref name="method"/>, or null after reporting why it cannot be compiled.</summary>
    public static IrFunction? Lower(IMethodSymbol method, bool isEntryProgram, CodegenContext context, ICollection<Diagnostic> diagnostics)
    {
        var definition = method.OriginalDefinition.PartialImplementationPart ?? method.OriginalDefinition;
        var syntax = definition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        var location = syntax?.GetLocation() ?? method.Locations.FirstOrDefault() ?? Location.None;
        if (syntax is not (BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or ArrowExpressionClauseSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.CodegenUnsupportedConstruct, location,
                $"compiling '{method.ToDisplayString()}' ({(syntax is null ? "no C# source" : syntax.GetType().Name)})"));
            return null;
        }
        var substitution = TypeSubstitution.For(method, context.Compilation);
        if (method.IsGenericMethod && method.TypeArguments.Any(t => t is ITypeParameterSymbol))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.CodegenUnsupportedConstruct, location,
                $"the generic method definition '{method.ToDisplayString()}' (only its calls with concrete type arguments are compiled)"));
            return null;
        }
        var declaredReturn = substitution.Apply(method.ReturnType);
        IrType returnType;
        if (method.ReturnsVoid) returnType = IrType.Void;
        else if (method.ReturnsByRef || method.ReturnsByRefReadonly) returnType = IrType.Pointer(PointerKind.Unknown);
        else if (TypeMapper.Scalar(declaredReturn) is { } scalar) returnType = scalar;
        else if (!isEntryProgram && TypeMapper.IsAggregate(declaredReturn)) returnType = IrType.Void; // through a hidden pointer
        else
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.CodegenUnsupportedType, location,
                method.ReturnType.ToDisplayString(), "as a return value"));
            return null;
        }

        var model = context.Compilation.GetSemanticModel(syntax.SyntaxTree);
        var cfg = GraphOf(definition, syntax, model);
        if (cfg is null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.CodegenUnsupportedConstruct, location, "a method without a body"));
            return null;
        }
        if (syntax is LocalFunctionStatementSyntax local && Captures(local, model) is { } captured)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.LocalFunctionCapture, local.Identifier.GetLocation(), method.Name, captured));
            return null;
        }
        var lowerer = new MethodLowerer(method, returnType, isEntryProgram, context, diagnostics, substitution);
        return lowerer.Run(cfg, syntax) ? lowerer._function : null;
    }

    /// <summary>Roslyn's CFG of a method, accessor, expression-bodied member or local function (the
    /// latter from the graph of the member that declares it).</summary>
    static ControlFlowGraph? GraphOf(IMethodSymbol? method, SyntaxNode syntax, SemanticModel model)
    {
        switch (syntax)
        {
            case AnonymousFunctionExpressionSyntax:
            {
                // A helper callback: its graph is nested in the graph of the member that contains it.
                var member = syntax.Ancestors().FirstOrDefault(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax
                    or ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax or IndexerDeclarationSyntax });
                if (member is null || method is null) return null;
                var outerMethod = model.GetDeclaredSymbol(member) as IMethodSymbol;
                var outer = member is LocalFunctionStatementSyntax && outerMethod is not null ? GraphOf(outerMethod, member, model) : GraphOf(null, member, model);
                return outer is null ? null : FindAnonymousFunction(outer, method);
            }
            case LocalFunctionStatementSyntax:
            {
                var member = syntax.Ancestors().FirstOrDefault(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax
                    or ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax or IndexerDeclarationSyntax });
                if (member is null || GraphOf(null, member, model) is not { } outer) return null;
                return method is null ? null : FindLocalFunction(outer, method);
            }
            default:
                var operation = OperationTree.Of(model, syntax);
                return operation switch
                {
                    IMethodBodyOperation body => ControlFlowGraph.Create(body),
                    IConstructorBodyOperation constructor => ControlFlowGraph.Create(constructor),
                    IBlockOperation { Parent: null } block => ControlFlowGraph.Create(block),
                    _ => null,
                };
        }
    }

    static ControlFlowGraph? FindAnonymousFunction(ControlFlowGraph graph, IMethodSymbol method)
    {
        foreach (var block in graph.Blocks)
        {
            var roots = block.Operations.AsEnumerable();
            if (block.BranchValue is not null) roots = roots.Append(block.BranchValue);
            foreach (var op in roots.SelectMany(r => r.DescendantsAndSelf()))
                if (op is IFlowAnonymousFunctionOperation lambda)
                {
                    var inner = graph.GetAnonymousFunctionControlFlowGraph(lambda);
                    if (SymbolEqualityComparer.Default.Equals(lambda.Symbol, method)) return inner;
                    if (FindAnonymousFunction(inner, method) is { } nested) return nested;
                }
        }
        return null;
    }

    static ControlFlowGraph? FindLocalFunction(ControlFlowGraph graph, IMethodSymbol method)
    {
        foreach (var local in graph.LocalFunctions)
        {
            var inner = graph.GetLocalFunctionControlFlowGraph(local);
            if (SymbolEqualityComparer.Default.Equals(local, method)) return inner;
            if (FindLocalFunction(inner, method) is { } nested) return nested;
        }
        return null;
    }

    /// <summary>The first variable of the enclosing code a local function uses, or null when it captures nothing.</summary>
    static string? Captures(LocalFunctionStatementSyntax local, SemanticModel model)
    {
        var flow = model.AnalyzeDataFlow(local);
        if (flow is not { Succeeded: true }) return null;
        var declared = flow.VariablesDeclared.ToHashSet(SymbolEqualityComparer.Default);
        return flow.CapturedInside.FirstOrDefault(s => !declared.Contains(s) && !(s is IParameterSymbol p && IsOwnParameter(p, local, model)))?.Name;
    }

    static bool IsOwnParameter(IParameterSymbol p, LocalFunctionStatementSyntax local, SemanticModel model)
        => model.GetDeclaredSymbol(local) is IMethodSymbol m && SymbolEqualityComparer.Default.Equals(p.ContainingSymbol, m);

    bool Run(ControlFlowGraph cfg, SyntaxNode declaration)
    {
        var declLocation = LocationOf(declaration);
        _function.Location = declLocation;
        _b.Location = declLocation;
        _captures = new CaptureTable(cfg);
        FindRefAliases(cfg);

        Guard(declaration, BindParameters);
        foreach (var block in cfg.Blocks)
            if (block.Kind == BasicBlockKind.Block) _blocks[block] = _function.AddBlock();

        var first = cfg.Blocks[0].FallThroughSuccessor?.Destination;
        if (first is null || first.Kind != BasicBlockKind.Block)
        {
            // An empty body: `void M() { }`.
            _b.Return(_function.ReturnType.IsVoid ? null : Constant.Int(_function.ReturnType, 0));
        }
        else _b.Jump(_blocks[first]);

        // Reverse postorder: a block is lowered after the blocks that dominate it, so a flow capture or a
        // ref local is always bound before it is read, and after all its predecessors but loop back
        // edges. A block without a lowered predecessor by then is unreachable (its branch folded to a
        // constant, like the throw of a switch expression with a discard arm) and is not lowered.
        foreach (var block in ReversePostOrder(cfg))
        {
            if (block.Kind != BasicBlockKind.Block || _blocks[block].Predecessors.Count == 0) continue;
            _b.Block = _blocks[block];
            foreach (var op in block.Operations)
            {
                _b.Location = LocationOf(op.Syntax);
                Guard(op.Syntax, () => LowerStatement(op));
            }
            if (block.BranchValue is { } bv) _b.Location = LocationOf(bv.Syntax);
            Guard(block.BranchValue?.Syntax ?? declaration, () => LowerBlockExit(block));
            if (!_b.IsTerminated) _b.Return(null); // only after an error; the function is discarded
        }

        foreach (var block in _function.Blocks.ToList())
            if (block != _function.Entry && block.Terminator is null)
                _function.RemoveBlock(block); // never lowered: unreachable
        return !_failed;
    }

    /// <summary>Depth-first reverse postorder (fall-through successor first), iterative: a method of
    /// thousands of statements has thousands of blocks in a chain.</summary>
    static List<FlowBlock> ReversePostOrder(ControlFlowGraph cfg)
    {
        var visited = new HashSet<FlowBlock>();
        var post = new List<FlowBlock>();
        var stack = new Stack<(FlowBlock Block, int Next)>();
        visited.Add(cfg.Blocks[0]);
        stack.Push((cfg.Blocks[0], 0));
        while (stack.Count > 0)
        {
            var (block, next) = stack.Pop();
            var successor = next switch
            {
                0 => block.FallThroughSuccessor?.Destination,
                1 => block.ConditionalSuccessor?.Destination,
                _ => null,
            };
            if (next >= 2) { post.Add(block); continue; }
            stack.Push((block, next + 1));
            if (successor is not null && visited.Add(successor)) stack.Push((successor, 0));
        }
        post.Reverse();
        return post;
    }

    /// <summary>Runs one lowering step; a diagnostic stops that step only.</summary>
    void Guard(SyntaxNode syntax, Action action)
    {
        try { action(); }
        catch (LoweringException e)
        {
            _diagnostics.Add(e.Diagnostic);
            _failed = true;
        }
        catch (InsufficientExecutionStackException)
        {
            _diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NestingTooDeep, syntax.GetLocation(), "the lowering ran out of stack"));
            _failed = true;
        }
    }

    LoweringException Error(DiagnosticDescriptor descriptor, SyntaxNode syntax, params object[] args)
        => new(Diagnostic.Create(descriptor, syntax.GetLocation(), args));

    LoweringException Unsupported(SyntaxNode syntax, string what)
        => Error(DiagnosticDescriptors.CodegenUnsupportedConstruct, syntax, what);

    void BindParameters()
    {
        var parameters = _method.Parameters;
        if (_function.IsEntryProgram)
        {
            // R1 is the context: `in T args` (a tracepoint record read in place) or a context
            // struct by value (XdpContext), whose value is the pointer itself.
            if (parameters.Length == 0) return;
            var p = parameters[0];
            var ctx = _function.AddParameter(p.Name, IrType.Pointer(PointerKind.Context));
            _contextPointer = ctx;
            if (p.RefKind != RefKind.None) _parameters[p.OriginalDefinition] = new Place(ctx, 0, p.Type);
            else if (IsContext(p.Type)) _parameters[p.OriginalDefinition] = SpillParameter(p, ctx);
            else throw Unsupported(p.DeclaringSyntaxReferences[0].GetSyntax(), $"the context parameter type '{p.Type.ToDisplayString()}'");
            if (parameters.Length > 1) BindProbeArguments(parameters, ctx);
            return;
        }
        // A local function or lambda that captures nothing (checked before) has no receiver even when not static.
        if (!_method.IsStatic && _method.MethodKind is not (MethodKind.LocalFunction or MethodKind.AnonymousFunction))
            _thisPlace = new Place(_function.AddParameter("this", IrType.Pointer(PointerKind.Unknown)), 0, _method.ContainingType);
        // bpf_for_each_map_elem calls back (map, key, value, ctx); the C# callback starts at the key.
        if (IsMapElementCallback()) _function.AddParameter("map", IrType.Pointer(PointerKind.MapHandle));
        if (!_method.ReturnsByRef && !_method.ReturnsByRefReadonly && IsAggregate(_method.ReturnType))
            _returnPlace = new Place(_function.AddParameter("return", IrType.Pointer(PointerKind.Unknown)), 0, _method.ReturnType);
        foreach (var p in parameters)
        {
            var syntax = p.DeclaringSyntaxReferences[0].GetSyntax();
            if (p.RefKind != RefKind.None)
                _parameters[p.OriginalDefinition] = new Place(_function.AddParameter(p.Name, IrType.Pointer(PointerKind.Unknown)), 0, p.Type);
            else if (Scalar(p.Type) is { } scalar)
                _parameters[p.OriginalDefinition] = SpillParameter(p, _function.AddParameter(p.Name, scalar));
            else
            {
                // A struct by value: the caller passes the address of its own fresh copy.
                SizeOf(p.Type, syntax);
                _parameters[p.OriginalDefinition] = new Place(_function.AddParameter(p.Name, IrType.Pointer(PointerKind.Stack)), 0, p.Type);
            }
        }
        if (_function.Parameters.Count > AbiLimits.MaxCallArguments)
            throw Error(DiagnosticDescriptors.TooManyCallArguments, _method.DeclaringSyntaxReferences[0].GetSyntax(), _method.Name, _function.Parameters.Count);
    }

    /// <summary>Whether this method is a lambda passed as a <c>MapElementCallback</c> (bpf_for_each_map_elem's callback).</summary>
    bool IsMapElementCallback()
    {
        if (_method.MethodKind != MethodKind.AnonymousFunction) return false;
        var syntax = _method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        if (syntax is null) return false;
        var type = _context.Compilation.GetSemanticModel(syntax.SyntaxTree).GetTypeInfo(syntax).ConvertedType;
        return type?.OriginalDefinition.ToDisplayString() == "Ebpf.MapElementCallback<TKey, TValue, TState>";
    }

    /// <summary>Typed parameters after the context bind to the probed function's arguments, read from
    /// the context's argument slots as <c>ctx.Arg&lt;T&gt;(n)</c> does (libbpf's BPF_KPROBE/BPF_PROG).</summary>
    void BindProbeArguments(IReadOnlyList<IParameterSymbol> parameters, Parameter ctx)
    {
        var slots = KernelApi.ArgumentSlots(parameters[0].Type);
        for (int i = 1; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var syntax = p.DeclaringSyntaxReferences[0].GetSyntax();
            if (slots is null || i - 1 >= slots.Count)
                throw Unsupported(syntax, $"probe argument {i - 1} of a '{parameters[0].Type.Name}' program");
            if (p.RefKind != RefKind.None) throw Unsupported(syntax, "a probe argument passed by reference");
            var value = ContextArgument(ctx, slots[i - 1], p.Type, syntax);
            var slot = _function.AddSlot(p.Name, value.Type.StoreSize, value.Type.StoreSize);
            var place = new Place(_b.FrameAddress(slot), 0, p.Type);
            StoreScalar(place, value);
            _parameters[p.OriginalDefinition] = place;
        }
    }

    /// <summary>An 8-byte argument slot of the context, converted to <paramref name="type"/> (truncated, or a kernel pointer).</summary>
    Value ContextArgument(Value ctx, int offset, ITypeSymbol type, SyntaxNode at)
    {
        var raw = _b.Load(ctx, offset, IrType.I64, 8);
        var target = ScalarType(type, at);
        if (target.IsPointer) return _b.Convert(raw, IrType.Pointer(PointerKind.Kernel), signed: false);
        return _b.Convert(raw, target, signed: false);
    }

    /// <summary>Copies a by-value parameter into a slot, so C# code may assign it like a local.</summary>
    Place SpillParameter(IParameterSymbol p, Parameter value)
    {
        var slot = _function.AddSlot(p.Name, value.Type.StoreSize, value.Type.StoreSize);
        var place = new Place(_b.FrameAddress(slot), 0, p.Type);
        StoreScalar(place, value);
        return place;
    }

    void LowerBlockExit(FlowBlock block)
    {
        SyntaxNode declaration() => _method.DeclaringSyntaxReferences[0].GetSyntax();
        var fall = block.FallThroughSuccessor;
        if (block.ConditionalSuccessor is { } conditional)
        {
            var whenCondition = Target(conditional.Destination, block);
            var otherwise = Target(fall?.Destination, block);
            var (ifTrue, ifFalse) = block.ConditionKind == ControlFlowConditionKind.WhenTrue ? (whenCondition, otherwise) : (otherwise, whenCondition);
            LowerBranch(block.BranchValue!, ifTrue, ifFalse);
            return;
        }
        switch (fall?.Semantics)
        {
            case ControlFlowBranchSemantics.Regular when fall.Destination?.Kind == BasicBlockKind.Exit:
                // The end of a void method's body.
                _b.Return(_function.ReturnType.IsVoid ? null : throw Unsupported(declaration(), "falling off the end of a non-void method"));
                return;
            case ControlFlowBranchSemantics.Regular:
                _b.Jump(Target(fall.Destination, block));
                return;
            case ControlFlowBranchSemantics.Return:
                if (block.BranchValue is null) { _b.Return(null); return; }
                if (_returnPlace is not null)
                {
                    LowerInto(_returnPlace, block.BranchValue);
                    _b.Return(null);
                    return;
                }
                if (_method.ReturnsByRef || _method.ReturnsByRefReadonly)
                {
                    _b.Return(AddressOf(LowerPlace(block.BranchValue), block.BranchValue.Syntax));
                    return;
                }
                _b.Return(ConvertScalar(LowerValue(block.BranchValue), _function.ReturnType, block.BranchValue.Type, block.BranchValue.Syntax));
                return;
            case ControlFlowBranchSemantics.Throw when block.BranchValue is IObjectCreationOperation { Type.Name: "SwitchExpressionException" } swx:
                throw Error(DiagnosticDescriptors.NonExhaustiveSwitchExpression, swx.Syntax);
            default:
                throw Unsupported(block.BranchValue?.Syntax ?? _method.DeclaringSyntaxReferences[0].GetSyntax(),
                    $"control flow of kind {fall?.Semantics.ToString() ?? "none"} (exceptions and finally blocks)");
        }
    }

    IrBlock Target(FlowBlock? destination, FlowBlock from)
    {
        if (destination?.Kind == BasicBlockKind.Exit && _function.ReturnType.IsVoid)
        {
            // A branch to the end of a void method (`if (x) return;`, a loop that ends the body).
            if (_exitBlock is null)
            {
                var current = _b.Block;
                _exitBlock = _function.AddBlock("exit");
                _b.Block = _exitBlock;
                _b.Return(null);
                _b.Block = current;
            }
            return _exitBlock;
        }
        if (destination is null || !_blocks.TryGetValue(destination, out var target))
            throw Unsupported(from.BranchValue?.Syntax ?? _method.DeclaringSyntaxReferences[0].GetSyntax(), "a branch out of the method body");
        return target;
    }

    /// <summary>Lowers a condition straight into a branch (jumping code): <c>!x</c> swaps the targets and
    /// a packet read or map lookup jumps from its own check, without materializing a bool.</summary>
    void LowerBranch(IOperation condition, IrBlock ifTrue, IrBlock ifFalse)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (condition)
        {
            case { ConstantValue: { HasValue: true, Value: bool b } }:
                _b.Jump(b ? ifTrue : ifFalse);
                return;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not:
                LowerBranch(not.Operand, ifFalse, ifTrue);
                return;
            case IInvocationOperation inv when TryLowerBranchingCall(inv, ifTrue, ifFalse):
                return;
            default:
                _b.Branch(LowerValue(condition), ifTrue, ifFalse);
                return;
        }
    }

    void LowerStatement(IOperation op)
    {
        switch (op)
        {
            case IExpressionStatementOperation e:
                LowerStatement(e.Operation);
                return;
            case IFlowCaptureOperation capture:
                LowerCapture(capture);
                return;
            case ISimpleAssignmentOperation a:
                LowerAssignment(a);
                return;
            case IEmptyOperation:
                return;
            case IInvocationOperation inv:
                LowerInvocation(inv, resultNeeded: false);
                return;
            case IDeconstructionAssignmentOperation d:
                LowerDeconstruction(d);
                return;
            case ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                LowerValue(op);
                return;
            case IFlowCaptureReferenceOperation or ILocalReferenceOperation or IParameterReferenceOperation or IDiscardOperation:
                return; // evaluated for nothing (Roslyn leaves these for discarded results)
            default:
                if (op.Type is { } t && IsAggregate(t)) { LowerPlace(op); return; }
                LowerValue(op);
                return;
        }
    }

    /// <summary>The source position of <paramref name="syntax"/> for line info.</summary>
    SourceLocation LocationOf(SyntaxNode syntax)
    {
        var tree = syntax.SyntaxTree;
        var span = syntax.GetLocation().GetLineSpan();
        int line = span.StartLinePosition.Line + 1;
        if (!_lineTexts.TryGetValue((tree, line), out var text))
        {
            var lines = tree.GetText().Lines;
            text = line - 1 < lines.Count ? lines[line - 1].ToString() : "";
            _lineTexts[(tree, line)] = text;
        }
        return new SourceLocation(tree.FilePath, line, span.StartLinePosition.Character + 1, text);
    }

    // Type questions always go through the substitution of the method's type arguments.
    // A tuple type is laid out as its ValueTuple (the tuple's element names are not members of that struct).
    ITypeSymbol Resolve(ITypeSymbol type)
    {
        var resolved = _substitution.Apply(type);
        return resolved is INamedTypeSymbol { IsTupleType: true, TupleUnderlyingType: { } underlying } ? underlying : resolved;
    }
    IrType? Scalar(ITypeSymbol type) => TypeMapper.Scalar(Resolve(type));
    bool IsAggregate(ITypeSymbol type) => TypeMapper.IsAggregate(Resolve(type));
    bool IsSigned(ITypeSymbol type) => TypeMapper.IsSigned(Resolve(type));
    bool IsContext(ITypeSymbol type) => KernelApi.IsContextType(Resolve(type));
    bool IsMap(ITypeSymbol type) => KernelApi.IsMapType(Resolve(type));

    int SizeOf(ITypeSymbol type, SyntaxNode at)
    {
        type = Resolve(type);
        if (Scalar(type) is { } s) return s.StoreSize;
        return LayoutOf(type, at).Size;
    }

    Ebpf.Rules.Model.TypeLayout LayoutOf(ITypeSymbol type, SyntaxNode at)
        => _context.Layouts.GetLayout(Resolve(type)) ?? throw Error(DiagnosticDescriptors.CodegenUnsupportedType, at, type.ToDisplayString(), "(it has no eBPF memory layout)");

    int AlignOf(ITypeSymbol type, SyntaxNode at)
    {
        type = Resolve(type);
        if (Scalar(type) is { } s) return s.StoreSize;
        return Math.Max(1, LayoutOf(type, at).Alignment);
    }
}
