using Microsoft.CodeAnalysis;

namespace Ebpf.Rules.Model;

/// <summary>The one way every rule and the compiler ask Roslyn for the operation tree of a piece of syntax.</summary>
public static class OperationTree
{
    /// <summary>The operation of <paramref name="syntax"/>, or null. Roslyn's operation factory throws on some broken
    /// code (an unconverted interpolated string on the left of an assignment throws InvalidOperationException); the C#
    /// errors already report that code, so there is nothing to analyze in it. On code without syntax errors the
    /// exception stays an internal error.</summary>
    public static IOperation? Of(SemanticModel model, SyntaxNode syntax)
    {
        try
        {
            return model.GetOperation(syntax);
        }
        catch (InvalidOperationException) when (syntax.ContainsDiagnostics)
        {
            return null;
        }
    }

    /// <summary><see cref="Of(SemanticModel, SyntaxNode)"/> with the model of the syntax's tree in <paramref name="compilation"/>.</summary>
    public static IOperation? Of(Compilation compilation, SyntaxNode syntax)
#pragma warning disable RS1030 // Callers reach declarations in other trees; an analyzer context has only its own tree's model.
        => Of(compilation.GetSemanticModel(syntax.SyntaxTree), syntax);
#pragma warning restore RS1030
}
