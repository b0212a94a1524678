using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Fuzz.Tests.CSharp;

/// <summary>One edit of a C# source at token level (Roslyn's lexer, trivia kept with its token): the broken syntax an
/// editor shows the IDE analyzers while a probe is being typed. Positions are taken modulo the token count, so any
/// integers make a valid edit and CsCheck shrinks them toward the first tokens.</summary>
public sealed record TokenMutation(TokenMutation.Kind Edit, int At, int Other)
{
    public enum Kind { Delete, Duplicate, SwapWithNext, CopyOtherToken, InsertStray }

    /// <summary>Tokens an editor often leaves half-typed, or that open constructs which swallow the rest of the file.</summary>
    static readonly string[] Strays =
    [
        "(", ")", "{", "}", "[", "]", ";", ",", ".", "=>", "?", "?.", "!", "*", "&", "ref ", "out ", "new ", "stackalloc ",
        "unsafe ", "static ", "partial ", "class ", "struct ", "return ", "if ", "else ", "for ", "while ", "goto ",
        "default ", "null ", "this ", "base ", "typeof(", "sizeof(", "nameof(", "\"", "'", "$\"", "/*", "#if X\n", "#endif\n",
        "#region\n", "@", "::", "..", "<", ">", "<<", ">>>", "checked(", "__arglist", "async ", "await ", "yield ", "lock ",
        "fixed (", "delegate*<", "managed ", "[BpfObject] ", "[Xdp] ", "[Tracepoint(\"", "0x", "1e308", "'\\u",
    ];

    public string Apply(string source)
    {
        var tokens = SyntaxFactory.ParseTokens(source).Select(t => t.ToFullString()).ToList();
        if (tokens.Count == 0) return source;
        int i = At % tokens.Count, j = Other % tokens.Count;
        switch (Edit)
        {
            case Kind.Delete: tokens.RemoveAt(i); break;
            case Kind.Duplicate: tokens.Insert(i, tokens[i]); break;
            case Kind.SwapWithNext when i + 1 < tokens.Count: (tokens[i], tokens[i + 1]) = (tokens[i + 1], tokens[i]); break;
            case Kind.CopyOtherToken: tokens[i] = tokens[j]; break;
            case Kind.InsertStray: tokens.Insert(i, Strays[Other % Strays.Length]); break;
        }
        var sb = new StringBuilder(source.Length + 16);
        foreach (var t in tokens) sb.Append(t);
        return sb.ToString();
    }
}
