namespace Ebpf.Fuzz.Tests;

/// <summary>What a message shown to a user must not be: more than one line, or .NET's view of a failure (an exception
/// type's name, or the default message of a runtime exception, which names no problem in the input).</summary>
public static class MessageRules
{
    static readonly string[] TypeNames =
    [
        "Exception", "IndexOutOfRange", "ArgumentOutOfRange", "ArgumentNull", "NullReference", "InvalidCast",
        "KeyNotFound", "InvalidOperation", "DivideByZero", "OutOfMemory", "StackOverflow", "Overflow",
    ];

    /// <summary>The default messages of runtime exceptions and the marks of a stack trace: a failure of the tool leaking
    /// into a message (an error that wraps e.Message would show them).</summary>
    static readonly string[] LeakedFailures =
    [
        "Index was outside the bounds", "Object reference not set", "Specified argument was out of the range",
        "Unable to cast", "The given key", "Value was either too large or too small", "Arithmetic operation resulted",
        "Sequence contains no", "Attempted to divide by zero", "Offset and length were out of bounds", "Destination is too short",
        "Non-negative number required", "Index and length must refer", "must be a non-negative value", "(Parameter '", "   at ",
    ];

    /// <summary>The first exception type name or leaked failure in <paramref name="message"/>, or null.</summary>
    public static string? RuntimeWordIn(string message)
        => TypeNames.Concat(LeakedFailures).FirstOrDefault(w => message.Contains(w, StringComparison.Ordinal));

    /// <summary>Null when <paramref name="message"/> is one line without runtime words; otherwise what is wrong with it.</summary>
    public static string? Problem(string message)
    {
        if (message.Contains('\n') || message.Contains('\r')) return "the message has more than one line";
        return RuntimeWordIn(message) is { } word ? $"the message contains '{word}'" : null;
    }

    /// <summary>For compiler diagnostics, which may name .NET exceptions on purpose (what C# would throw where eBPF does
    /// not): null when <paramref name="message"/> is one line without a leaked failure.</summary>
    public static string? DiagnosticProblem(string message)
    {
        if (message.Contains('\n') || message.Contains('\r')) return "the message has more than one line";
        var leaked = LeakedFailures.FirstOrDefault(w => message.Contains(w, StringComparison.Ordinal));
        return leaked is null ? null : $"the message contains '{leaked}'";
    }
}
