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

/// <summary>Marks a struct, union or enum as a kernel type relocated with CO-RE: field accesses through pointers to
/// it become CO-RE relocations matched by <paramref name="name"/> (the kernel's name, e.g. <c>task_struct</c>)
/// against the running kernel's BTF, so one object works across kernel versions. <c>ebpf gen vmlinux</c> writes it.</summary>
/// <remarks>Reads through a pointer to a kernel type are direct loads in programs whose pointers the verifier
/// types with BTF (tp_btf, fentry/fexit, LSM, iterators) and <c>bpf_probe_read_kernel</c> elsewhere, as libbpf's
/// <c>BPF_CORE_READ</c> does. Needs kernel BTF (CONFIG_DEBUG_INFO_BTF, 5.2+).</remarks>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Enum, Inherited = false)]
public sealed class CoreTypeAttribute(string name) : Attribute
{
    /// <summary>The kernel's name of the type (struct, union or enum tag, or typedef name of an anonymous type).</summary>
    public string Name { get; } = name;
    /// <summary>True for a union.</summary>
    public bool IsUnion { get; init; }
    /// <summary>True when <see cref="Name"/> is a typedef of an anonymous struct, union or enum (<c>atomic_t</c>).</summary>
    public bool IsTypedef { get; init; }
}

/// <summary>The kernel's name of a member whose C# name differs (a C# keyword, or the enclosing type's own name).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false)]
public sealed class CoreNameAttribute(string name) : Attribute
{
    /// <summary>The member's name in kernel BTF.</summary>
    public string Name { get; } = name;
}

/// <summary>A C bit-field of a kernel type, exposed as a property: <paramref name="bitOffset"/> bits from the start of
/// the struct, <paramref name="bitSize"/> bits wide. The compiler reads it with the CO-RE byte offset, byte size and
/// shift relocations (libbpf's <c>BPF_CORE_READ_BITFIELD_PROBED</c>).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class BitfieldAttribute(int bitOffset, int bitSize) : Attribute
{
    /// <summary>Offset in bits from the start of the containing struct.</summary>
    public int BitOffset { get; } = bitOffset;
    /// <summary>Width in bits.</summary>
    public int BitSize { get; } = bitSize;
}

/// <summary>A C flexible array member (<c>T name[]</c>) of a kernel type at <paramref name="byteOffset"/>, exposed as a
/// property returning a pointer to its first element.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class FlexibleArrayAttribute(int byteOffset) : Attribute
{
    /// <summary>Offset in bytes from the start of the containing struct.</summary>
    public int ByteOffset { get; } = byteOffset;
}

/// <summary>Declares a kernel function a program calls as a kfunc: <c>[Kfunc] static extern task_struct* bpf_task_from_pid(int pid);</c>
/// is C's <c>extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;</c>. The call compiles to
/// <c>call</c> with BPF_PSEUDO_KFUNC_CALL against an undefined symbol of that name; the loader (libbpf or ours) finds the
/// function in the kernel's BTF, checks the prototype (declare parameters and result with the kernel's types, e.g. from
/// <c>ebpf gen vmlinux</c>) and writes its BTF id. Which program types may call which kfunc, and what it requires
/// (releasing an acquired reference, a null check of its result), the kernel's verifier decides.
/// Outside a compiled program the method cannot run.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class KfuncAttribute : Attribute
{
    /// <summary>The kernel function's name when it differs from the method's.</summary>
    public string? Name { get; init; }
}

/// <summary>Declares a kernel variable a program reads as a typed ksym: <c>[Ksym] static readonly rq runqueues;</c> is C's
/// <c>extern const struct rq runqueues __ksym;</c>. Its address is an <c>ld_imm64</c> the loader (libbpf or ours) points at
/// the kernel's variable (BPF_PSEUDO_BTF_ID with the variable's kernel BTF id), after checking that the field's type
/// is compatible with the kernel's (declare it with the kernel's types, e.g. from <c>ebpf gen vmlinux</c>). A per-CPU
/// variable (<c>DEFINE_PER_CPU</c>) is passed to <see cref="Bpf.ThisCpuPtr{T}(in T)"/> or <see cref="Bpf.PerCpuPtr{T}(in T, uint)"/>.
/// Outside a compiled program the field is never set (the managed simulation has no kernel).</summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class KsymAttribute : Attribute
{
    /// <summary>The kernel variable's name when it differs from the field's.</summary>
    public string? Name { get; init; }
}
