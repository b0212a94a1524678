using Ebpf.Compiler.IR;
using Microsoft.CodeAnalysis;

namespace Ebpf.Compiler.Frontend;

/// <summary>A storage location (a C# l-value): <see cref="Offset"/> bytes past the pointer
/// <see cref="Base"/>, holding a <see cref="Type"/>. Every variable is memory in the frontend (a
/// stack slot, a context field, a map value, a global); promotion to registers is a pass.</summary>
/// <remarks>The constant offset stays separate from the base so context fields become
/// <c>ldx [r1 + off]</c>: the verifier rejects a context pointer modified by arithmetic.</remarks>
internal sealed record Place(Value Base, int Offset, ITypeSymbol Type)
{
    public Place Field(int offset, ITypeSymbol type) => new(Base, Offset + offset, type);
}

/// <summary>Stops lowering the current statement with a located diagnostic (bad or unsupported
/// input). Caught per statement, so one method reports all of its problems.</summary>
internal sealed class LoweringException(Diagnostic diagnostic) : Exception(diagnostic.GetMessage())
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}
