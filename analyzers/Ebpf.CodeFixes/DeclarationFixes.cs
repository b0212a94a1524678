using System.Collections.Immutable;
using Ebpf.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ebpf.CodeFixes;

/// <summary>EBPF3001: a <c>[BpfObject]</c> class must be <c>static partial</c> (the accessor generator adds
/// the other part); adds what is missing.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeObjectClassStaticPartialFix))]
public sealed class MakeObjectClassStaticPartialFix : CodeFixProvider
{
    public const string Title = "Make the class 'static partial'";
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticDescriptors.ObjectClassNotStaticPartial.Id);
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
            if (await SyntaxFixes.NodeAtAsync<ClassDeclarationSyntax>(context, diagnostic) is { } declaration)
                SyntaxFixes.Offer(context, diagnostic, Title, declaration, node =>
                {
                    var c = (ClassDeclarationSyntax)node;
                    return c.WithModifiers(SyntaxFixes.WithModifiers(c.Modifiers, SyntaxKind.StaticKeyword, SyntaxKind.PartialKeyword));
                });
    }
}

/// <summary>EBPF3002: a program method must be <c>static</c>; adds the modifier.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeProgramStaticFix))]
public sealed class MakeProgramStaticFix : CodeFixProvider
{
    public const string Title = "Make the program 'static'";
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticDescriptors.ProgramNotStatic.Id);
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
            if (await SyntaxFixes.NodeAtAsync<MethodDeclarationSyntax>(context, diagnostic) is { } method)
                SyntaxFixes.Offer(context, diagnostic, Title, method, node =>
                {
                    var m = (MethodDeclarationSyntax)node;
                    if (m.Modifiers.Count > 0) return m.WithModifiers(SyntaxFixes.WithModifiers(m.Modifiers, SyntaxKind.StaticKeyword));
                    // No modifiers: 'static' goes before the return type, taking over its leading trivia.
                    var keyword = SyntaxFactory.Token(m.ReturnType.GetLeadingTrivia(), SyntaxKind.StaticKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
                    return m.WithReturnType(m.ReturnType.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(keyword));
                });
    }
}

/// <summary>EBPF3007: a map is a <c>static readonly</c> field with a constructor call as initializer; adds
/// the missing modifiers (offered only where the initializer is there: its arguments size the map).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeMapFieldStaticReadonlyFix))]
public sealed class MakeMapFieldStaticReadonlyFix : CodeFixProvider
{
    public const string Title = "Make the map field 'static readonly'";
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticDescriptors.MapFieldShape.Id);
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            var field = await SyntaxFixes.NodeAtAsync<FieldDeclarationSyntax>(context, diagnostic);
            if (field is null || field.Declaration.Variables.Any(v => v.Initializer is null)) continue;
            SyntaxFixes.Offer(context, diagnostic, Title, field, node =>
            {
                var f = (FieldDeclarationSyntax)node;
                if (f.Modifiers.Count > 0)
                    return f.WithModifiers(SyntaxFixes.WithModifiers(f.Modifiers, SyntaxKind.StaticKeyword, SyntaxKind.ReadOnlyKeyword));
                var leading = f.Declaration.Type.GetLeadingTrivia();
                return f.WithDeclaration(f.Declaration.WithType(f.Declaration.Type.WithLeadingTrivia()))
                    .WithModifiers(SyntaxFactory.TokenList(
                        SyntaxFactory.Token(leading, SyntaxKind.StaticKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space)),
                        SyntaxFactory.Token(SyntaxKind.ReadOnlyKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
            });
        }
    }
}
