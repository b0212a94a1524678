namespace Ebpf.Btf.Core;

/// <summary>Where a CO-RE relocation comes from and what it asks, for messages: the program, the source line
/// (from line_info), the local type and the access written as C spells it (<c>task_struct.real_parent.tgid</c>).</summary>
public sealed record CoreRelocationSite(string Program, int InstructionOffset, BtfLineInfo? Source, BtfCoreRelocationKind Kind,
    string LocalType, string AccessPath, string AccessString)
{
    /// <summary><c>program 'p', file.c:12 (source text): field byte offset of task_struct.real_parent.tgid (0:57:2)</c>.</summary>
    public override string ToString()
    {
        string where = Source is null ? $"instruction {InstructionOffset}"
            : $"{Path.GetFileName(Source.FileName)}:{Source.Line}" + (string.IsNullOrWhiteSpace(Source.LineText) ? "" : $" ({Source.LineText.Trim()})");
        return $"program '{Program}', {where}: {CoreKinds.Describe(Kind)} of {AccessPath} [{LocalType}, access {AccessString}]";
    }
}

/// <summary>The value one CO-RE relocation puts into its instruction: what the compiler wrote for the object's own
/// types (<see cref="LocalValue"/>) and what the target BTF says (<see cref="TargetValue"/>), or a poison mark when
/// the target has no match and the instruction must fail verification if reached.</summary>
/// <param name="InstructionOffset">Slot of the instruction, from the start of the program.</param>
/// <param name="Validate">The instruction must hold <see cref="LocalValue"/> before patching (false for bitfields and
/// type ids, which the compiler and libbpf may legitimately disagree on).</param>
/// <param name="LocalSize">For field byte offsets of non-bitfields: the field's size in the object's BTF (the load or
/// store size the compiler chose); 0 otherwise.</param>
/// <param name="TargetSize">The field's size in the target BTF; a load or store is resized to it.</param>
/// <param name="UnsafeResize">The sizes differ and the field is neither a pointer nor an unsigned integer in both BTFs:
/// a resized load would read a wrong value, so a load or store is poisoned instead.</param>
/// <param name="Target">The target type the relocation resolved to (<c>vmlinux [123] struct task_struct</c>), or null.</param>
/// <param name="Reason">Why the relocation did not resolve (for poisoned ones and zero existence answers), or null.</param>
public sealed record CoreFixup(int InstructionOffset, BtfCoreRelocationKind Kind, ulong LocalValue, ulong TargetValue, bool Poison,
    bool Validate, int LocalSize, int TargetSize, bool UnsafeResize, CoreRelocationSite Site, string? Target, string? Reason)
{
    /// <summary>One line for logs and errors: the site, then the value or the reason it has none.</summary>
    public override string ToString()
        => Poison ? $"{Site}: unresolved ({Reason}); the instruction is poisoned and fails verification only if reached"
                  : $"{Site}: {LocalValue} -> {TargetValue}" + (Target is null ? "" : $" ({Target})") + (Reason is null ? "" : $" ({Reason})");
}

/// <summary>A CO-RE relocation that cannot be computed or applied (malformed record, ambiguous candidates, an
/// instruction that does not hold the value the compiler should have written). The message names the site.</summary>
public sealed class CoreRelocationException(string message) : Exception(message);
