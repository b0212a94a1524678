using System.Runtime.CompilerServices;

namespace Ebpf;

// CO-RE queries (compile once, run everywhere): answered by the loader for the running kernel's BTF.
// Managed code runs against the types it was compiled with, so every type and field "exists" there.
public static partial class Bpf
{
    /// <summary>Whether the field accessed by <paramref name="field"/> (e.g. <c>in task->loginuid</c>) exists in the running kernel.</summary>
    /// <remarks>CO-RE relocation FIELD_EXISTS (libbpf's <c>bpf_core_field_exists</c>), kernel 5.2+ with BTF. The
    /// argument is not read, only its access path recorded: guard reads of fields that newer or older kernels lack.</remarks>
    [CoreRelocation(CoreRelocationKind.FieldExists)]
    public static bool CoreFieldExists<T>(in T field) => true;

    /// <summary>The size in bytes of the field accessed by <paramref name="field"/> in the running kernel.</summary>
    /// <remarks>CO-RE relocation FIELD_BYTE_SIZE (<c>bpf_core_field_size</c>).</remarks>
    [CoreRelocation(CoreRelocationKind.FieldByteSize)]
    public static uint CoreFieldSize<T>(in T field) => (uint)Unsafe.SizeOf<T>();

    /// <summary>The byte offset of the field accessed by <paramref name="field"/> within its outermost struct in the running kernel.</summary>
    /// <remarks>CO-RE relocation FIELD_BYTE_OFFSET (<c>bpf_core_field_offset</c>). Managed: the offset of
    /// <paramref name="field"/> from <paramref name="container"/>.</remarks>
    [CoreRelocation(CoreRelocationKind.FieldByteOffset)]
    public static uint CoreFieldOffset<TContainer, T>(in TContainer container, in T field) =>
        (uint)Unsafe.ByteOffset(ref Unsafe.AsRef(in Unsafe.As<TContainer, byte>(ref Unsafe.AsRef(in container))), ref Unsafe.As<T, byte>(ref Unsafe.AsRef(in field)));

    /// <summary>Whether type <typeparamref name="T"/> (by name and kind) exists in the running kernel.</summary>
    /// <remarks>CO-RE relocation TYPE_EXISTS (<c>bpf_core_type_exists</c>).</remarks>
    [CoreRelocation(CoreRelocationKind.TypeExists)]
    public static bool CoreTypeExists<T>() => true;

    /// <summary>Whether type <typeparamref name="T"/> exists in the running kernel with a compatible layout.</summary>
    /// <remarks>CO-RE relocation TYPE_MATCHES (<c>bpf_core_type_matches</c>), libbpf 1.0.</remarks>
    [CoreRelocation(CoreRelocationKind.TypeMatches)]
    public static bool CoreTypeMatches<T>() => true;

    /// <summary>The size in bytes of type <typeparamref name="T"/> in the running kernel.</summary>
    /// <remarks>CO-RE relocation TYPE_SIZE (<c>bpf_core_type_size</c>).</remarks>
    [CoreRelocation(CoreRelocationKind.TypeSize)]
    public static uint CoreTypeSize<T>() => (uint)Unsafe.SizeOf<T>();

    /// <summary>Whether enumerator <paramref name="value"/> exists (by name) in the running kernel's enum.</summary>
    /// <remarks>CO-RE relocation ENUMVAL_EXISTS (<c>bpf_core_enum_value_exists</c>). The argument must be a named
    /// enumerator such as <c>bpf_func_id.BPF_FUNC_loop</c>.</remarks>
    [CoreRelocation(CoreRelocationKind.EnumValueExists)]
    public static bool CoreEnumValueExists<TEnum>(TEnum value) where TEnum : struct, Enum => Enum.IsDefined(value);

    /// <summary>The value of enumerator <paramref name="value"/> (by name) in the running kernel's enum.</summary>
    /// <remarks>CO-RE relocation ENUMVAL_VALUE (<c>bpf_core_enum_value</c>).</remarks>
    [CoreRelocation(CoreRelocationKind.EnumValueValue)]
    public static long CoreEnumValue<TEnum>(TEnum value) where TEnum : struct, Enum => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
}
