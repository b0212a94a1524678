namespace Ebpf;

// Dynptr helpers: the kernel's C form (pointers) and the typed form over Dynptr. Dynptr.Read and Dynptr.Data are the
// same helpers, named after the type a callback holds; all of them share Dynptr's managed implementation.
public static unsafe partial class Bpf
{
    /// <summary>Copies <c>sizeof(T)</c> bytes at <paramref name="offset"/> of <paramref name="source"/> into <paramref name="value"/>;
    /// 0, -E2BIG when they pass its end, -EINVAL for flags other than 0.</summary>
    /// <remarks><c>bpf_dynptr_read(&amp;value, sizeof(T), &amp;source, offset, flags)</c>, kernel 5.19. See <see cref="Dynptr.Read{T}"/>.</remarks>
    [BpfHelper(201)]
    public static long DynptrRead<T>(out T value, in Dynptr source, uint offset = 0, ulong flags = 0) where T : unmanaged
        => Dynptr.Read(out value, in source, offset, flags);

    /// <summary>Copies <paramref name="len"/> bytes at <paramref name="offset"/> of the dynptr at <paramref name="src"/> to <paramref name="dst"/>.</summary>
    /// <remarks><c>long bpf_dynptr_read(void *dst, u32 len, struct bpf_dynptr *src, u32 offset, u64 flags)</c>, kernel 5.19.</remarks>
    [BpfHelper(201)]
    public static long DynptrRead(void* dst, uint len, void* src, uint offset, ulong flags)
        => ((Dynptr*)src)->CopyTo((byte*)dst, len, offset, flags);

    /// <summary>A reference to the <c>T</c> at <paramref name="offset"/> of <paramref name="source"/>, or a null reference.</summary>
    /// <remarks><c>bpf_dynptr_data(&amp;source, offset, sizeof(T))</c>, kernel 5.19. See <see cref="Dynptr.Data{T}"/>.</remarks>
    [BpfHelper(203)]
    public static ref T DynptrData<T>(in Dynptr source, uint offset = 0) where T : unmanaged => ref Dynptr.Data<T>(in source, offset);

    /// <summary>The address of <paramref name="len"/> bytes at <paramref name="offset"/> of the dynptr at <paramref name="ptr"/>, or null.</summary>
    /// <remarks><c>void *bpf_dynptr_data(const struct bpf_dynptr *ptr, u32 offset, u32 len)</c>, kernel 5.19.</remarks>
    [BpfHelper(203)]
    public static void* DynptrData(void* ptr, uint offset, uint len) => ((Dynptr*)ptr)->AddressOf(offset, len);
}
