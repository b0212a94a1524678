namespace Ebpf;

// Attributes the compiler reads on the map types of this assembly, so the C# -> kernel mapping of
// maps lives here and not in tables inside the compiler.

/// <summary>Marks a class as a kernel map type: a <c>static readonly</c> field of it becomes a map
/// definition in the object's <c>.maps</c> section.</summary>
/// <remarks>
/// The definition (libbpf's BTF-defined map: <c>type</c>, <c>key</c>, <c>value</c>, <c>max_entries</c>,
/// <c>map_flags</c>, <c>pinning</c>) comes from:
/// <list type="bullet">
/// <item><c>type</c>: <see cref="Type"/>.</item>
/// <item><c>key</c>: the type argument named <c>TKey</c>, else <see cref="KeySize"/> bytes (0: no key,
/// as for queues, stacks and ring buffers).</item>
/// <item><c>value</c>: the type argument named <c>TValue</c> (or <c>T</c>), else <see cref="ValueSize"/> bytes.</item>
/// <item><c>max_entries</c>: the constructor argument <c>maxEntries</c> (<c>sizeBytes</c> for ring buffers);
/// <c>map_flags</c>: <c>flags</c>; <c>pinning</c>: <c>pinning</c>; all compile-time constants.</item>
/// </list>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BpfMapAttribute(MapType type) : Attribute
{
    /// <summary>The kernel map type (BPF_MAP_TYPE_*).</summary>
    public MapType Type { get; } = type;
    /// <summary>The key size in bytes when no <c>TKey</c> type argument gives it; -1 when it does.</summary>
    public int KeySize { get; init; } = -1;
    /// <summary>The value size in bytes when no value type argument gives it; -1 when it does.</summary>
    public int ValueSize { get; init; } = -1;
}

/// <summary>Marks a map method as a call of the kernel helper with this id (enum bpf_func_id), the
/// map itself passed as the helper's map argument.</summary>
/// <remarks>Each method's remarks give the argument order. The common rule: the map is R1, an
/// <c>in</c>/<c>ref</c>/<c>out</c> parameter is passed as the address of the variable (or of a stack copy
/// of a value), a <c>ref T</c> result is the helper's pointer result (null ref = NULL).</remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class MapHelperAttribute(int id) : Attribute
{
    /// <summary>The helper id (enum bpf_func_id).</summary>
    public int Id { get; } = id;

    /// <summary>Where the map goes among the kernel's arguments: 0 (first, the common case), or after this many of
    /// the method's parameters (1 for <c>bpf_msg_redirect_map(msg, map, key, flags)</c>, whose context comes first).</summary>
    public int MapPosition { get; init; }
}
