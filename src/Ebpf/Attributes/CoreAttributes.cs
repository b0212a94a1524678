namespace Ebpf;

/// <summary>The kinds of CO-RE relocation (enum bpf_core_relo_kind), recorded in <c>.BTF.ext</c>.</summary>
public enum CoreRelocationKind : uint
{
    FieldByteOffset = 0,
    FieldByteSize = 1,
    FieldExists = 2,
    FieldSigned = 3,
    FieldLShiftU64 = 4,
    FieldRShiftU64 = 5,
    TypeIdLocal = 6,
    TypeIdTarget = 7,
    TypeExists = 8,
    TypeSize = 9,
    EnumValueExists = 10,
    EnumValueValue = 11,
    TypeMatches = 12,
}

/// <summary>Marks a <see cref="Bpf"/> method as a CO-RE query: the compiler emits a <c>ld_imm64</c>/<c>mov</c>
/// of a placeholder and a relocation of this kind whose access string comes from the argument (a field
/// access such as <c>task->loginuid</c>, a type argument, or an enum value), as clang's
/// <c>__builtin_preserve_field_info</c>/<c>__builtin_preserve_type_info</c>/<c>__builtin_preserve_enum_value</c> do.
/// The loader (libbpf or ours) patches the value for the running kernel.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CoreRelocationAttribute(CoreRelocationKind kind) : Attribute
{
    /// <summary>The relocation kind.</summary>
    public CoreRelocationKind Kind { get; } = kind;
}
