using System.Collections.Immutable;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Ebpf.CodeFixes;

/// <summary>EBPF2106 on a <c>ref</c> local holding a lookup or reservation: inserts
/// <c>if (Unsafe.IsNullRef(ref x)) return …;</c> right after its declaration, the check the verifier
/// needs on the very pointer later used. The early return passes the packet on (<c>XdpAction.Pass</c>,
/// <c>TcAction.Ok</c>) and returns <c>default</c> elsewhere.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NullCheckFix))]
public sealed class NullCheckFix : CodeFixProvider
{
    public const string Title = "Return early when the lookup found nothing (Unsafe.IsNullRef)";
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticDescriptors.UncheckedPointer.Id);
    public override FixAllProvider? GetFixAllProvider() => null;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var use = await SyntaxFixes.NodeAtAsync<IdentifierNameSyntax>(context, diagnostic);
            if (use is null || model.GetSymbolInfo(use, context.CancellationToken).Symbol is not ILocalSymbol { IsRef: true } local) continue;
            if (local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) is not VariableDeclaratorSyntax declarator) continue;
            if (declarator.Parent?.Parent is not LocalDeclarationStatementSyntax declaration || declaration.Parent is not BlockSyntax block) continue;
            var method = declaration.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>();
            if (method is null || model.GetDeclaredSymbol(method, context.CancellationToken) is not IMethodSymbol methodSymbol) continue;

            var check = SyntaxFactory.ParseStatement($"if (global::System.Runtime.CompilerServices.Unsafe.IsNullRef(ref {local.Name})) {SyntaxFixes.EarlyReturn(methodSymbol)}\n")
                .WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation);
            context.RegisterCodeFix(CodeAction.Create(Title, async cancel =>
            {
                var root = await context.Document.GetSyntaxRootAsync(cancel).ConfigureAwait(false);
                if (root is null) return context.Document;
                var newBlock = block.WithStatements(block.Statements.Insert(block.Statements.IndexOf(declaration) + 1, check));
                return context.Document.WithSyntaxRoot(root.ReplaceNode(block, newBlock));
            }, equivalenceKey: Title), diagnostic);
        }
    }
}
