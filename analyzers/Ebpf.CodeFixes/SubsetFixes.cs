using System.Collections.Immutable;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Ebpf.CodeFixes;

/// <summary>EBPF1001 on <c>new Foo()</c> where <c>Foo</c> is a class declared in source without a base
/// class: makes it a struct, which lives on the eBPF stack.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ClassToStructFix))]
public sealed class ClassToStructFix : CodeFixProvider
{
    public const string Title = "Make the type a struct";
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticDescriptors.HeapAllocation.Id);
    public override FixAllProvider? GetFixAllProvider() => null;   // edits another declaration than the one reported

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            var creation = await SyntaxFixes.NodeAtAsync<BaseObjectCreationExpressionSyntax>(context, diagnostic);
            if (creation is null) continue;
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (model?.GetTypeInfo(creation, context.CancellationToken).Type is not INamedTypeSymbol { TypeKind: TypeKind.Class } type) continue;
            if (type.BaseType is { SpecialType: not SpecialType.System_Object } || type.IsStatic || type.IsAbstract) continue;
            var references = type.DeclaringSyntaxReferences;
            if (references.Length != 1 || references[0].SyntaxTree != creation.SyntaxTree) continue;   // one declaration, in this file
            if (await references[0].GetSyntaxAsync(context.CancellationToken).ConfigureAwait(false) is not ClassDeclarationSyntax declaration) continue;
            if (declaration.Members.OfType<BaseMethodDeclarationSyntax>().Any(m => m.Modifiers.Any(SyntaxKind.VirtualKeyword) || m.Modifiers.Any(SyntaxKind.AbstractKeyword))) continue;
            SyntaxFixes.Offer(context, diagnostic, Title, declaration, node =>
            {
                var c = (ClassDeclarationSyntax)node;
                return SyntaxFactory.StructDeclaration(c.AttributeLists, c.Modifiers.Remove(c.Modifiers.FirstOrDefault(m => m.IsKind(SyntaxKind.SealedKeyword))),
                        SyntaxFactory.Token(c.Keyword.LeadingTrivia, SyntaxKind.StructKeyword, c.Keyword.TrailingTrivia),
                        c.Identifier, c.TypeParameterList, c.BaseList, c.ConstraintClauses,
                        c.OpenBraceToken, c.Members, c.CloseBraceToken, c.SemicolonToken);
            });
        }
    }
}

/// <summary>EBPF1002 on a local initialized with a managed array (<c>var a = new int[4];</c>): the same
/// elements on the eBPF stack, <c>Span&lt;int&gt; a = stackalloc int[4];</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ManagedArrayToStackallocFix))]
public sealed class ManagedArrayToStackallocFix : CodeFixProvider
{
    public const string Title = "Use stackalloc and Span<T>";
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticDescriptors.ManagedArray.Id);
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            var declaration = await SyntaxFixes.NodeAtAsync<LocalDeclarationStatementSyntax>(context, diagnostic);
            if (declaration?.Declaration.Variables is not { Count: 1 } variables
                || variables[0].Initializer?.Value is not (ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax)) continue;
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (model?.GetTypeInfo(variables[0].Initializer!.Value, context.CancellationToken).Type is not IArrayTypeSymbol { Rank: 1 } array) continue;
            SyntaxFixes.Offer(context, diagnostic, Title, declaration, node =>
            {
                var statement = (LocalDeclarationStatementSyntax)node;
                var variable = statement.Declaration.Variables[0];
                var elementType = SyntaxFactory.ParseTypeName(array.ElementType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
                ExpressionSyntax replacement = variable.Initializer!.Value switch
                {
                    ArrayCreationExpressionSyntax a => SyntaxFactory.StackAllocArrayCreationExpression(
                        SyntaxFactory.ArrayType(elementType, a.Type.RankSpecifiers), a.Initializer),
                    ImplicitArrayCreationExpressionSyntax i => SyntaxFactory.StackAllocArrayCreationExpression(
                        SyntaxFactory.ArrayType(elementType, SyntaxFactory.SingletonList(SyntaxFactory.ArrayRankSpecifier(
                            SyntaxFactory.SingletonSeparatedList<ExpressionSyntax>(SyntaxFactory.OmittedArraySizeExpression())))), i.Initializer),
                    _ => variable.Initializer.Value,
                };
                var span = SyntaxFactory.ParseTypeName($"global::System.Span<{elementType}>").WithAdditionalAnnotations(Simplifier.Annotation)
                    .WithTriviaFrom(statement.Declaration.Type);
                return statement.WithDeclaration(statement.Declaration.WithType(span)
                    .WithVariables(SyntaxFactory.SingletonSeparatedList(variable.WithInitializer(variable.Initializer.WithValue(replacement.WithTriviaFrom(variable.Initializer.Value))))));
            });
        }
    }
}

/// <summary>EBPF1009: eBPF arithmetic wraps and cannot throw <c>OverflowException</c>; <c>checked</c> becomes
/// <c>unchecked</c>, so the code says what the program does.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CheckedToUncheckedFix))]
public sealed class CheckedToUncheckedFix : CodeFixProvider
{
    public const string Title = "Make the arithmetic 'unchecked' (eBPF wraps)";
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticDescriptors.CheckedArithmetic.Id);
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var node = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var scope = node?.AncestorsAndSelf().FirstOrDefault(n => n.IsKind(SyntaxKind.CheckedExpression) || n.IsKind(SyntaxKind.CheckedStatement));
            switch (scope)
            {
                case CheckedExpressionSyntax expression:
                    SyntaxFixes.Offer(context, diagnostic, Title, expression, n =>
                    {
                        var e = (CheckedExpressionSyntax)n;
                        return SyntaxFactory.CheckedExpression(SyntaxKind.UncheckedExpression,
                            SyntaxFactory.Token(e.Keyword.LeadingTrivia, SyntaxKind.UncheckedKeyword, e.Keyword.TrailingTrivia),
                            e.OpenParenToken, e.Expression, e.CloseParenToken);
                    });
                    break;
                case CheckedStatementSyntax statement:
                    SyntaxFixes.Offer(context, diagnostic, Title, statement, n =>
                    {
                        var s = (CheckedStatementSyntax)n;
                        return SyntaxFactory.CheckedStatement(SyntaxKind.UncheckedStatement, s.AttributeLists,
                            SyntaxFactory.Token(s.Keyword.LeadingTrivia, SyntaxKind.UncheckedKeyword, s.Keyword.TrailingTrivia), s.Block);
                    });
                    break;
            }
        }
    }
}
