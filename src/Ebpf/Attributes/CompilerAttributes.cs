namespace Ebpf;

// CONTRACT: attributes the compiler reads from the kernel-side API itself, so the mapping from
// C# to kernel lives in one place (this assembly), not in tables inside the compiler.

/// <summary>Marks a <see cref="Bpf"/> method as the kernel helper with this id (enum bpf_func_id).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BpfHelperAttribute(int id) : Attribute
{
    public int Id { get; } = id;
}

/// <summary>Marks a context property as a load from the context at <paramref name="offset"/> of
/// <paramref name="size"/> bytes (e.g. <c>xdp_md.data</c> at 0, 4 bytes).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ContextFieldAttribute(int offset, int size) : Attribute
{
    public int Offset { get; } = offset;
    public int Size { get; } = size;
}
