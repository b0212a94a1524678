using System.Collections.Immutable;
using System.Globalization;
using Ebpf.Rules;
using Ebpf.Rules.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Ebpf.CodeFixes;

/// <summary>EBPF2107: gives the access the bounds check the verifier needs (<see cref="PacketCheck"/>).
/// An earlier <c>if (p + N &gt; end) return …;</c> on the same pointer in the same block is widened to
/// the bytes the access reads; otherwise <c>if (p + n &gt; ctx.DataEnd) return …;</c> is inserted before
/// the statement that reads.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PacketBoundsFix))]
public sealed class PacketBoundsFix : CodeFixProvider
{
    public const string Title = "Check the packet bounds before the read";
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticDescriptors.PacketOutOfRange.Id);
    public override FixAllProvider? GetFixAllProvider() => null;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(PacketCheck.BaseKey, out var pointerBase) || pointerBase is null
                || !diagnostic.Properties.TryGetValue(PacketCheck.EndKey, out var end) || end is null
                || !int.TryParse(diagnostic.Properties.GetValueOrDefault(PacketCheck.BytesKey), NumberStyles.None, CultureInfo.InvariantCulture, out int bytes))
                continue;
            var access = await SyntaxFixes.NodeAtAsync<SyntaxNode>(context, diagnostic);
            var statement = access?.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault(s => s.Parent is BlockSyntax);
            if (statement?.Parent is not BlockSyntax block) continue;
            var method = statement.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>();
            if (method is null || model.GetDeclaredSymbol(method, context.CancellationToken) is not IMethodSymbol methodSymbol) continue;

            var earlier = EarlierCheck(block, statement, pointerBase, bytes);
            context.RegisterCodeFix(CodeAction.Create(Title, async cancel =>
            {
                var root = await context.Document.GetSyntaxRootAsync(cancel).ConfigureAwait(false);
                if (root is null) return context.Document;
                if (earlier is not null)
                {
                    var widened = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(bytes)).WithTriviaFrom(earlier);
                    return context.Document.WithSyntaxRoot(root.ReplaceNode(earlier, widened));
                }
                var check = SyntaxFactory.ParseStatement($"if ({pointerBase} + {bytes} > {end}) {SyntaxFixes.EarlyReturn(methodSymbol)}\n")
                    .WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation);
                var newBlock = block.WithStatements(block.Statements.Insert(block.Statements.IndexOf(statement), check));
                return context.Document.WithSyntaxRoot(root.ReplaceNode(block, newBlock));
            }, equivalenceKey: Title), diagnostic);
        }
    }

    /// <summary>The literal <c>N</c> of an <c>if (base + N &gt; …) return …;</c> before <paramref name="statement"/>
    /// in <paramref name="block"/> that checks fewer than <paramref name="bytes"/>, or null.</summary>
    static LiteralExpressionSyntax? EarlierCheck(BlockSyntax block, StatementSyntax statement, string pointerBase, int bytes)
    {
        for (int i = block.Statements.IndexOf(statement) - 1; i >= 0; i--)
        {
            if (block.Statements[i] is not IfStatementSyntax { Else: null, } check || !ReturnsOnly(check.Statement)) continue;
            if (check.Condition is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.GreaterThanExpression, Left: BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } sum }
                && Normalize(sum.Left) == Normalize(pointerBase)
                && sum.Right is LiteralExpressionSyntax { Token.Value: int checkedBytes } literal
                && checkedBytes < bytes)
                return literal;
        }
        return null;
    }

    static bool ReturnsOnly(StatementSyntax statement)
        => statement is ReturnStatementSyntax || statement is BlockSyntax { Statements.Count: 1 } body && body.Statements[0] is ReturnStatementSyntax;

    static string Normalize(SyntaxNode node) => Normalize(node.ToString());
    static string Normalize(string text) => new(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
}
