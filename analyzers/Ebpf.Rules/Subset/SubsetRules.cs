using System;
using System.Collections.Generic;
using System.Linq;
using Ebpf.Rules.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Ebpf.Rules.Subset;

/// <summary>The C#-subset rules (EBPF1xxx): walks a method's operations and reports, at the construct,
/// everything eBPF cannot express — heap allocation, managed arrays, strings, boxing, virtual/interface/
/// delegate calls, lambdas outside helper callbacks, exceptions, checked arithmetic, floating point,
/// async, lock, dynamic, LINQ, foreach over non-spans, calls into code without source, reflection,
/// reference types, non-constant stackalloc. Used by the compiler over every reachable method and by
/// <see cref="Analyzers.SubsetAnalyzer"/> in the IDE, so both report the same IDs at the same places.</summary>
/// <remarks>Recursion (EBPF1011) needs the whole call graph and is reported by the compiler's pipeline.
/// To keep the output readable, each rule reports at most once per statement.</remarks>
public sealed partial class SubsetRules
{
    readonly EbpfSymbols _symbols;

    public SubsetRules(EbpfSymbols symbols) => _symbols = symbols;

    /// <summary>Checks the signature of <paramref name="method"/> and its body (the method's
    /// <see cref="IMethodBodyOperation"/> or block; null for methods without a body).</summary>
    /// <param name="objectClass">The <c>[BpfObject]</c> class being compiled: only its maps and globals may be used.</param>
    public void CheckMethod(IMethodSymbol method, IOperation? body, INamedTypeSymbol? objectClass, Action<Diagnostic> report)
    {
        CheckSignature(method, report);
        if (body != null) CheckBody(body, objectClass, report);
    }

    /// <summary>Signature rules: async, iterators, instance methods of classes, parameter and return types.</summary>
    public void CheckSignature(IMethodSymbol method, Action<Diagnostic> report)
    {
        var where = method.Locations.FirstOrDefault() ?? Location.None;
        if (method.IsAsync)
            report(Diagnostic.Create(DiagnosticDescriptors.Async, where, method.Name));
        if (IsIterator(method))
            report(Diagnostic.Create(DiagnosticDescriptors.UnsupportedConstruct, where, $"Iterator method '{method.Name}' (yield)"));
        if (!method.IsStatic && method.ContainingType is { IsReferenceType: true } owner && method.MethodKind != MethodKind.LocalFunction)
            report(Diagnostic.Create(DiagnosticDescriptors.ReferenceType, where, "this", owner.ToDisplayString()));
        foreach (var parameter in method.Parameters)
        {
            if (TypeProblem(parameter.Type, parameter.Name) is { } problem)
                report(Diagnostic.Create(problem.Descriptor, ParameterTypeLocation(parameter), problem.Args));
        }
        if (!method.ReturnsVoid && TypeProblem(method.ReturnType, method.Name) is { } returnProblem)
            report(Diagnostic.Create(returnProblem.Descriptor, ReturnTypeLocation(method) ?? where, returnProblem.Args));
    }

    /// <summary>Body rules over every operation under <paramref name="body"/> (local functions and helper
    /// callbacks included).</summary>
    public void CheckBody(IOperation body, INamedTypeSymbol? objectClass, Action<Diagnostic> report)
        => new Walk(this, objectClass, report).Visit(body);

    static bool IsIterator(IMethodSymbol method)
    {
#pragma warning disable RS1024 // only syntax checks: no symbol comparison
        foreach (var reference in method.DeclaringSyntaxReferences)
            if (reference.GetSyntax().DescendantNodes(n => n is not (LambdaExpressionSyntax or LocalFunctionStatementSyntax or AnonymousMethodExpressionSyntax))
                .OfType<YieldStatementSyntax>().Any())
                return true;
#pragma warning restore RS1024
        return false;
    }

    static Location ParameterTypeLocation(IParameterSymbol parameter)
    {
        foreach (var reference in parameter.DeclaringSyntaxReferences)
            if (reference.GetSyntax() is ParameterSyntax { Type: { } type }) return type.GetLocation();
        return parameter.Locations.FirstOrDefault() ?? Location.None;
    }

    static Location? ReturnTypeLocation(IMethodSymbol method)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            switch (reference.GetSyntax())
            {
                case MethodDeclarationSyntax m: return m.ReturnType.GetLocation();
                case LocalFunctionStatementSyntax l: return l.ReturnType.GetLocation();
            }
        }
        return null;
    }

    /// <summary>One walk over a body: reports through <see cref="_report"/>, at most once per rule and statement.</summary>
    sealed class Walk
    {
        readonly SubsetRules _rules;
        readonly EbpfSymbols _symbols;
        readonly INamedTypeSymbol? _objectClass;
        readonly Action<Diagnostic> _report;
        readonly HashSet<(string, IOperation)> _reported = new();

        public Walk(SubsetRules rules, INamedTypeSymbol? objectClass, Action<Diagnostic> report)
        {
            _rules = rules;
            _symbols = rules._symbols;
            _objectClass = objectClass;
            _report = report;
        }

        public void Visit(IOperation operation)
        {
            if (!Check(operation)) return;
            foreach (var child in operation.ChildOperations) Visit(child);
        }

        /// <summary>Reports <paramref name="descriptor"/> at <paramref name="location"/> unless the same rule
        /// already fired in the statement containing <paramref name="at"/>.</summary>
        void Report(DiagnosticDescriptor descriptor, IOperation at, Location location, params object?[] args)
        {
            if (!_reported.Add((descriptor.Id, StatementOf(at)))) return;
            _report(Diagnostic.Create(descriptor, location, MessageArguments.OneLine(args)));
        }

        void Report(DiagnosticDescriptor descriptor, IOperation at, params object?[] args)
            => Report(descriptor, at, at.Syntax.GetLocation(), args);

        static IOperation StatementOf(IOperation operation)
        {
            var current = operation;
            while (current.Parent is { } parent && parent.Kind != OperationKind.Block && parent.Kind != OperationKind.MethodBody
                   && parent.Kind != OperationKind.SwitchCase)
                current = parent;
            return current;
        }

        static string Text(IOperation operation)
        {
            var text = operation.Syntax.ToString();
            text = string.Join(" ", text.Split(new[] { '\r', '\n', '\t', ' ' }, StringSplitOptions.RemoveEmptyEntries));
            return text.Length > 60 ? text.Substring(0, 57) + "..." : text;
        }

        /// <summary>Checks one operation; returns whether to descend into its children.</summary>
        bool Check(IOperation operation)
        {
            switch (operation)
            {
                // A constant string straight into a helper's format parameter is placed in .rodata.
                case ILiteralOperation or IFieldReferenceOperation or ILocalReferenceOperation
                    when operation.ConstantValue is { HasValue: true, Value: string } && IsHelperFormatArgument(operation):
                    return false;
                case IObjectCreationOperation { Type.IsReferenceType: true } creation:
                    Report(DiagnosticDescriptors.HeapAllocation, creation, Text(creation));
                    return true;
                case IObjectCreationOperation { Constructor: { } constructor } creation:
                    CheckCall(constructor, null, creation);
                    break;
                case IAnonymousObjectCreationOperation anonymous:
                    Report(DiagnosticDescriptors.HeapAllocation, anonymous, Text(anonymous));
                    return false;
                case IArrayCreationOperation array:
                    Report(DiagnosticDescriptors.ManagedArray, array, Text(array));
                    return false;
                case IArrayElementReferenceOperation element:
                    Report(DiagnosticDescriptors.ManagedArray, element, Text(element.ArrayReference));
                    return false;
                case IDelegateCreationOperation creation:
                    if (IsHelperCallback(creation)) return true;
                    if (creation.Target is IAnonymousFunctionOperation)
                        Report(DiagnosticDescriptors.Lambda, creation);
                    else
                        Report(DiagnosticDescriptors.DelegateUsage, creation, Text(creation));
                    return false;
                case IAnonymousFunctionOperation lambda:
                    if (IsHelperCallback(lambda)) return true;
                    Report(DiagnosticDescriptors.Lambda, lambda);
                    return false;
                case IInvocationOperation invocation when IsLinq(invocation.TargetMethod):
                    Report(DiagnosticDescriptors.Linq, invocation, Text(invocation));
                    return false;
                case IInvocationOperation invocation:
                    CheckCall(invocation.TargetMethod, invocation.Instance, invocation);
                    break;
                case IFunctionPointerInvocationOperation pointerCall:
                    Report(DiagnosticDescriptors.DelegateUsage, pointerCall, Text(pointerCall));
                    break;
                case IPropertyReferenceOperation property:
                    if (property.Property.GetMethod is { } getter) CheckCall(getter, property.Instance, property);
                    else if (property.Property.SetMethod is { } setter) CheckCall(setter, property.Instance, property);
                    break;
                case IFieldReferenceOperation field:
                    CheckField(field);
                    break;
                case IEventReferenceOperation or IRaiseEventOperation:
                    Report(DiagnosticDescriptors.DelegateUsage, operation, Text(operation));
                    return false;
                case ITryOperation tryOperation:
                    Report(DiagnosticDescriptors.ExceptionHandling, tryOperation, KeywordLocation(tryOperation), "try/catch/finally");
                    return true;
                case IThrowOperation throwOperation:
                    Report(DiagnosticDescriptors.ExceptionHandling, throwOperation, "throw");
                    return false;
                case IUsingOperation or IUsingDeclarationOperation:
                    Report(DiagnosticDescriptors.ExceptionHandling, operation, KeywordLocation(operation), "'using' (an implicit try/finally)");
                    return true;
                case ILockOperation lockOperation:
                    Report(DiagnosticDescriptors.Lock, lockOperation, KeywordLocation(lockOperation));
                    return true;
                case IAwaitOperation await:
                    Report(DiagnosticDescriptors.Async, await, Text(await));
                    return false;
                case ITranslatedQueryOperation query:
                    Report(DiagnosticDescriptors.Linq, query, Text(query));
                    return false;
                case IForEachLoopOperation loop:
                    CheckForeach(loop);
                    return true;
                case ITypeOfOperation typeOf:
                    Report(DiagnosticDescriptors.Reflection, typeOf, Text(typeOf));
                    return false;
                case IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicIndexerAccessOperation or IDynamicObjectCreationOperation:
                    Report(DiagnosticDescriptors.Dynamic, operation, Text(operation));
                    return false;
                case IConversionOperation conversion:
                    if (!CheckConversion(conversion)) return false;
                    break;
                case IBinaryOperation binary:
                    if (binary.IsChecked) Report(DiagnosticDescriptors.CheckedArithmetic, binary, Text(binary));
                    if (binary.OperatorMethod is { } binaryOperator) CheckCall(binaryOperator, null, binary);
                    break;
                case IUnaryOperation unary:
                    if (unary.IsChecked) Report(DiagnosticDescriptors.CheckedArithmetic, unary, Text(unary));
                    if (unary.OperatorMethod is { } unaryOperator) CheckCall(unaryOperator, null, unary);
                    break;
                case ICompoundAssignmentOperation compound:
                    if (compound.IsChecked) Report(DiagnosticDescriptors.CheckedArithmetic, compound, Text(compound));
                    if (compound.OperatorMethod is { } compoundOperator) CheckCall(compoundOperator, null, compound);
                    break;
                case IIncrementOrDecrementOperation increment:
                    if (increment.IsChecked) Report(DiagnosticDescriptors.CheckedArithmetic, increment, Text(increment));
                    if (increment.OperatorMethod is { } incrementOperator) CheckCall(incrementOperator, null, increment);
                    break;
                case IReturnOperation { Kind: OperationKind.YieldReturn or OperationKind.YieldBreak } yield:
                    Report(DiagnosticDescriptors.UnsupportedConstruct, yield, "yield (iterators)");
                    return false;
                case IVariableDeclaratorOperation declarator:
                    CheckLocal(declarator.Symbol, declarator);
                    break;
                case ILocalReferenceOperation { IsDeclaration: true } declared:
                    CheckLocal(declared.Local, declared);
                    return true;
                case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol patternLocal } pattern:
                    CheckLocal(patternLocal, pattern);
                    break;
            }

            if (operation.Kind == OperationKind.None && operation.Syntax is StackAllocArrayCreationExpressionSyntax stackAlloc)
                CheckStackalloc(stackAlloc, operation);

            return CheckExpressionType(operation);
        }

        /// <summary>The type of every expression: strings, floats, arrays, delegates, dynamic, nullable, classes.
        /// Returns whether to descend: not into a string or dynamic expression, whose parts would only repeat it.</summary>
        bool CheckExpressionType(IOperation operation)
        {
            if (operation.Type is not { } type) return true;
            switch (operation)
            {
                // Reported by their own rules or at their declaration, or typed after another operand
                // that is checked itself (assignments, discards, parentheses, ?:, ??).
                case IDelegateCreationOperation or IAnonymousFunctionOperation or IInstanceReferenceOperation or IObjectCreationOperation
                    or IArrayCreationOperation or IParameterReferenceOperation or ILocalReferenceOperation or ISimpleAssignmentOperation
                    or IDiscardOperation or IParenthesizedOperation or IConditionalOperation or ICoalesceOperation:
                    return true;
                case IConversionOperation c when IsBoxing(c):
                    return true;
                // `inner == null` on a map: C# compares the map and null as objects; only the map pointer exists.
                case IConversionOperation { Type.SpecialType: SpecialType.System_Object, IsImplicit: true, Parent: IBinaryOperation } c
                    when c.Operand.Type is { } operandType && _symbols.IsApi(operandType) || c.Operand.ConstantValue is { HasValue: true, Value: null }:
                    return true;
                case ILiteralOperation { ConstantValue: { HasValue: true, Value: null } }:
                    return true;
                // `inner?.Update(k, v);` as a statement: its lifted result (long?) is never made.
                case IConditionalAccessOperation { Parent: IExpressionStatementOperation }:
                    return true;
            }
            if (_rules.TypeProblem(type, Text(operation)) is not { } problem) return true;
            Report(problem.Descriptor, operation, problem.Args);
            return problem.Descriptor != DiagnosticDescriptors.StringUsage && problem.Descriptor != DiagnosticDescriptors.Dynamic;
        }

        void CheckLocal(ILocalSymbol local, IOperation at)
        {
            if (_rules.TypeProblem(local.Type, local.Name) is not { } problem) return;
            var location = LocalTypeLocation(at);
            // 'var x = <expr>': the initializer is reported where the problem starts.
            if (location is null && at is IVariableDeclaratorOperation { Initializer: not null }) return;
            Report(problem.Descriptor, at, location ?? at.Syntax.GetLocation(), problem.Args);
        }

        static Location? LocalTypeLocation(IOperation at)
        {
            TypeSyntax? type = at.Syntax switch
            {
                VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax declaration } => declaration.Type,
                DeclarationPatternSyntax pattern => pattern.Type,
                SingleVariableDesignationSyntax { Parent: DeclarationExpressionSyntax expression } => expression.Type,
                DeclarationExpressionSyntax expression => expression.Type,
                _ => null,
            };
            return type is null || type.IsVar ? null : type.GetLocation();
        }

        static Location KeywordLocation(IOperation operation) => operation.Syntax switch
        {
            TryStatementSyntax t => t.TryKeyword.GetLocation(),
            UsingStatementSyntax u => u.UsingKeyword.GetLocation(),
            LocalDeclarationStatementSyntax l when l.UsingKeyword != default => l.UsingKeyword.GetLocation(),
            LockStatementSyntax l => l.LockKeyword.GetLocation(),
            _ => operation.Syntax.GetLocation(),
        };

        void CheckField(IFieldReferenceOperation reference)
        {
            var field = reference.Field;
            if (_symbols.IsApi(field))
            {
                if (_symbols.IsManagedOnly(field)) Report(DiagnosticDescriptors.ManagedOnlyMember, reference, field.ToDisplayString());
                return;
            }
            if (!field.IsStatic || field.IsConst || field.HasConstantValue) return;
            var owner = field.ContainingType;
            bool inObject = _symbols.IsBpfObjectClass(owner)
                && (_objectClass is null || SymbolEqualityComparer.Default.Equals(owner, _objectClass));
            if (!inObject)
                Report(DiagnosticDescriptors.ForeignStaticField, reference, field.ToDisplayString(), _objectClass?.Name ?? "(none)");
        }

        /// <summary>Calls (methods, constructors, accessors, operators): where the callee's code comes from.</summary>
        void CheckCall(IMethodSymbol method, IOperation? instance, IOperation at)
        {
            if (method.MethodKind == MethodKind.DelegateInvoke)
            {
                Report(DiagnosticDescriptors.DelegateUsage, at, Text(at));
                return;
            }
            if (_symbols.IsApi(method))
            {
                if (_symbols.IsManagedOnly(method)) Report(DiagnosticDescriptors.ManagedOnlyMember, at, method.ToDisplayString());
                return;
            }
            bool dispatched = method.IsVirtual || method.IsAbstract || method.IsOverride || method.ContainingType?.TypeKind == TypeKind.Interface;
            if (dispatched && instance?.Type is { IsReferenceType: true } receiver && receiver.TypeKind != TypeKind.TypeParameter)
            {
                var how = receiver.TypeKind == TypeKind.Interface || method.ContainingType?.TypeKind == TypeKind.Interface ? "interface dispatch" : "virtual dispatch";
                Report(DiagnosticDescriptors.VirtualCall, at, method.ToDisplayString(), how);
                return;
            }
            if (HasSource(method) || Intrinsics.IsIntrinsic(method) || KernelApi.KfuncName(method) is not null) return;
            if (IsLinq(method))
            {
                Report(DiagnosticDescriptors.Linq, at, Text(at));
                return;
            }
            // Virtual calls on constrained type parameters resolve after monomorphization.
            if (dispatched && instance?.Type is { TypeKind: TypeKind.TypeParameter }) return;
            string reason = method.IsExtern || method.IsPartialDefinition
                ? "it has no body (an extern kernel function needs [Kfunc])"
                : $"it comes from '{method.ContainingAssembly?.Name}' without C# source; only methods in source, the Ebpf API and the intrinsics {Intrinsics.Description} can be called";
            Report(DiagnosticDescriptors.CallWithoutSource, at, method.ToDisplayString(), reason);
        }

        static bool HasSource(IMethodSymbol method)
        {
            var definition = method.OriginalDefinition;
            if (definition.IsExtern) return false;
            if (definition.PartialImplementationPart is { } implementation) definition = implementation;
            else if (definition.IsPartialDefinition) return false;
            if (definition.DeclaringSyntaxReferences.Length > 0) return true;
            // Implicit members of source types (default struct constructors, record members) have no syntax.
            return definition.IsImplicitlyDeclared && definition.ContainingType?.DeclaringSyntaxReferences.Length > 0;
        }

        static bool IsLinq(IMethodSymbol method)
            => method.ContainingNamespace?.ToDisplayString() == "System.Linq";

        /// <summary>Conversions: boxing, checked, user-defined; returns whether to descend.</summary>
        bool CheckConversion(IConversionOperation conversion)
        {
            var operandType = conversion.Operand.Type;
            if (IsBoxing(conversion))
            {
                Report(DiagnosticDescriptors.Boxing, conversion, Text(conversion.Operand), operandType?.ToDisplayString() ?? "?", conversion.Type?.ToDisplayString() ?? "?");
                return false;
            }
            if (conversion.IsChecked && conversion.Conversion.IsNumeric)
                Report(DiagnosticDescriptors.CheckedArithmetic, conversion, Text(conversion));
            if (conversion.OperatorMethod is { } method) CheckCall(method, null, conversion);
            return true;
        }

        static bool IsBoxing(IConversionOperation conversion)
            => (conversion.Language == LanguageNames.CSharp && conversion.GetConversion().IsBoxing)
               || (conversion.Operand.Type is { IsValueType: true } && conversion.Type is { IsReferenceType: true });

        void CheckForeach(IForEachLoopOperation loop)
        {
            if (loop.IsAsynchronous)
            {
                Report(DiagnosticDescriptors.Async, loop, "await foreach");
                return;
            }
            var collection = loop.Collection is IConversionOperation { IsImplicit: true } c ? c.Operand : loop.Collection;
            var type = collection.Type;
            if (_symbols.IsSpan(type) || IsInlineArray(type)) return;
            Report(DiagnosticDescriptors.ForeachOverNonSpan, loop, collection.Syntax.GetLocation(), type?.ToDisplayString() ?? Text(collection));
        }

        static bool IsInlineArray(ITypeSymbol? type)
            => type is INamedTypeSymbol { TypeKind: TypeKind.Struct } named
               && named.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InlineArrayAttribute");

        void CheckStackalloc(StackAllocArrayCreationExpressionSyntax syntax, IOperation operation)
        {
            if (syntax.Type is not ArrayTypeSyntax array || array.RankSpecifiers.Count != 1 || array.RankSpecifiers[0].Sizes.Count != 1) return;
            var size = array.RankSpecifiers[0].Sizes[0];
            if (size is OmittedArraySizeExpressionSyntax) return;
            var semanticModel = operation.SemanticModel;
            if (semanticModel is null) return;
            var constant = semanticModel.GetConstantValue(size);
            if (!constant.HasValue)
                Report(DiagnosticDescriptors.NonConstantStackalloc, operation, size.GetLocation(), size.ToString());
        }

        /// <summary>A lambda, anonymous method or method group passed straight to an Ebpf API method
        /// (a helper that takes a callback, such as Bpf.Loop).</summary>
        bool IsHelperCallback(IOperation operation)
        {
            var current = operation.Parent;
            while (current is IDelegateCreationOperation or IConversionOperation or IAnonymousFunctionOperation)
                current = current.Parent;
            return current is IArgumentOperation { Parameter.ContainingSymbol: IMethodSymbol target } && _symbols.IsApi(target);
        }

        /// <summary>A constant string passed straight to a string parameter of an Ebpf API method (a helper's format, as Bpf.Printk's).</summary>
        bool IsHelperFormatArgument(IOperation operation)
        {
            var current = operation.Parent;
            while (current is IConversionOperation { IsImplicit: true }) current = current.Parent;
            return current is IArgumentOperation { Parameter: { Type.SpecialType: SpecialType.System_String, ContainingSymbol: IMethodSymbol target } }
                   && _symbols.IsApi(target);
        }
    }
}
