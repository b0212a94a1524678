using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ebpf.CodeFixes;

/// <summary>What every fix here does the same way: find the node the diagnostic spans, replace it in
/// the document, offer the edit under a title with an equivalence key (so Fix All groups it).</summary>
internal static class SyntaxFixes
{
    /// <summary>The innermost node of type <typeparamref name="T"/> at the diagnostic's span, or null.</summary>
    public static async Task<T?> NodeAtAsync<T>(CodeFixContext context, Diagnostic diagnostic) where T : SyntaxNode
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var node = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        return node?.AncestorsAndSelf().OfType<T>().FirstOrDefault();
    }

    /// <summary>Registers an action that replaces <paramref name="oldNode"/> with what <paramref name="rewrite"/> returns.</summary>
    public static void Offer(CodeFixContext context, Diagnostic diagnostic, string title, SyntaxNode oldNode, Func<SyntaxNode, SyntaxNode> rewrite)
        => context.RegisterCodeFix(CodeAction.Create(title, async cancel =>
        {
            var root = await context.Document.GetSyntaxRootAsync(cancel).ConfigureAwait(false);
            return root is null ? context.Document : context.Document.WithSyntaxRoot(root.ReplaceNode(oldNode, rewrite(oldNode)));
        }, equivalenceKey: title), diagnostic);

    /// <summary><paramref name="modifiers"/> with <paramref name="kinds"/> added where missing, in C#'s
    /// conventional order (access, static, readonly, unsafe, partial last).</summary>
    public static SyntaxTokenList WithModifiers(SyntaxTokenList modifiers, params SyntaxKind[] kinds)
    {
        var result = modifiers;
        foreach (var kind in kinds)
        {
            if (result.Any(kind)) continue;
            var token = SyntaxFactory.Token(kind).WithTrailingTrivia(SyntaxFactory.Space);
            int partial = result.IndexOf(SyntaxKind.PartialKeyword);
            result = kind == SyntaxKind.PartialKeyword || partial < 0 ? result.Add(token) : result.Insert(partial, token);
        }
        return result;
    }

    /// <summary>Moves the leading trivia of a declaration to its first token after modifiers changed.</summary>
    public static T KeepLeadingTrivia<T>(T original, T updated) where T : SyntaxNode
        => updated.WithLeadingTrivia(original.GetLeadingTrivia());

    /// <summary>The early return an inserted check takes: the packet passes on (<c>XdpAction.Pass</c>,
    /// <c>TcAction.Ok</c>); anything else returns <c>default</c>.</summary>
    public static string EarlyReturn(IMethodSymbol method) => method.ReturnsVoid ? "return;" : method.ReturnType.ToDisplayString() switch
    {
        "Ebpf.XdpAction" => "return global::Ebpf.XdpAction.Pass;",
        "Ebpf.TcAction" => "return global::Ebpf.TcAction.Ok;",
        _ => "return default;",
    };
}
