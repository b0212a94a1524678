namespace Ebpf;

// CONTRACT: attributes the compiler reads from the kernel-side API itself, so the mapping from
// C# to kernel lives in one place (this assembly), not in tables inside the compiler.

/// <summary>Marks a <see cref="Bpf"/> method as the kernel helper with this id (enum bpf_func_id).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BpfHelperAttribute(int id) : Attribute
{
    /// <summary>The helper id (enum bpf_func_id), the immediate of the <c>call</c> instruction.</summary>
    public int Id { get; } = id;
}

/// <summary>Marks a context property as a load from the context at <paramref name="offset"/> of
/// <paramref name="size"/> bytes (e.g. <c>xdp_md.data</c> at 0, 4 bytes).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ContextFieldAttribute(int offset, int size) : Attribute
{
    /// <summary>The field's byte offset in the kernel's context struct.</summary>
    public int Offset { get; } = offset;
    /// <summary>The load size in bytes (1, 2, 4 or 8).</summary>
    public int Size { get; } = size;
}

/// <summary>Marks <c>T Arg&lt;T&gt;(int n)</c> of a context: argument <c>n</c> (from 0) is the 8-byte slot
/// at <c>Offsets[n]</c> of the context; the compiler loads it (a constant <c>n</c> is required) and
/// truncates to <c>T</c>. The same table binds a program's extra typed parameters after the context
/// (<c>OnOpen(PtRegs ctx, int dfd, byte* filename)</c>: dfd = slot 0, filename = slot 1), like
/// libbpf's BPF_KPROBE/BPF_PROG.</summary>
/// <remarks>x86-64 <c>struct pt_regs</c>: di 112, si 104, dx 96, cx 88, r8 72, r9 64. Tracing and raw
/// tracepoint contexts: a u64 array, slot n at 8n.</remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ContextArgumentAttribute(params int[] offsets) : Attribute
{
    /// <summary>The context offset of each argument slot, in argument order.</summary>
    public IReadOnlyList<int> Offsets { get; } = offsets;
    /// <summary>The size of each slot in bytes.</summary>
    public int SlotSize => 8;
}

/// <summary>Marks <c>T ReturnValue&lt;T&gt;()</c> of a context: either an 8-byte load at <see cref="Offset"/>
/// (pt_regs ax = 80 for kretprobes), or a call of helper <see cref="Helper"/> with the context and the
/// address of a u64 on the stack, then a load of it (fexit: <c>bpf_get_func_ret</c>, id 184, kernel 5.17,
/// whose slot depends on the traced function's argument count).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ContextReturnValueAttribute : Attribute
{
    /// <summary>The context offset of the return value, or -1 when <see cref="Helper"/> reads it.</summary>
    public int Offset { get; init; } = -1;
    /// <summary>The helper id that reads the return value, or -1 when it is at <see cref="Offset"/>.</summary>
    public int Helper { get; init; } = -1;
}
