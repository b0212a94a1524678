namespace Ebpf.Bindings;

/// <summary>C identifiers as C# identifiers: keywords get the verbatim prefix (<c>@event</c>), so the name the
/// compiler sees (without '@') is still the kernel's.</summary>
public static class CSharpIdentifiers
{
    static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
        // Contextual keywords that cannot name a type, or would change what user code means (file-local types, records).
        "file", "record", "required", "scoped", "var", "dynamic", "field", "extension", "allows", "managed", "unmanaged", "notnull", "nameof",
    };

    /// <summary>The C# spelling of <paramref name="name"/>: '@' before keywords, '_' for characters C# does not take.</summary>
    public static string Escape(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray();
        var id = chars.Length == 0 ? "_" : new string(chars);
        if (char.IsAsciiDigit(id[0])) id = "_" + id;
        return Keywords.Contains(id) ? "@" + id : id;
    }

    /// <summary>The name without the verbatim prefix.</summary>
    public static string Plain(string escaped) => escaped.StartsWith('@') ? escaped[1..] : escaped;
}
