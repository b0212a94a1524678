using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebpf;

/// <summary>A dynamic pointer (<c>struct bpf_dynptr</c>, kernel 5.19): memory whose size the kernel knows at run
/// time, such as a sample <see cref="UserRingBuffer.Drain{TState}"/> hands its callback. Programs read it through
/// <see cref="Read{T}"/> and <see cref="Data{T}"/>, which the kernel checks against that size.</summary>
/// <remarks>16 opaque bytes, as the kernel's. Managed: the address and size of the bytes it covers, valid while the
/// call that made it runs (as a callback's sample is).</remarks>
[StructLayout(LayoutKind.Sequential, Size = 16)]
public readonly unsafe struct Dynptr
{
    readonly byte* _data;
    readonly ulong _size;

    /// <summary>A dynptr over <paramref name="size"/> bytes at <paramref name="data"/>, for managed code to hand a callback.</summary>
    [ManagedOnly]
    public Dynptr(byte* data, uint size)
    {
        _data = data;
        _size = size;
    }

    /// <summary>The number of bytes the dynptr covers.</summary>
    [ManagedOnly] public uint Size => (uint)_size;

    /// <summary>Copies <c>sizeof(T)</c> bytes at <paramref name="offset"/> of <paramref name="source"/> into
    /// <paramref name="value"/>; 0, -E2BIG when they pass the end (<paramref name="value"/> is then zero), -EINVAL for
    /// flags other than 0.</summary>
    /// <remarks><c>bpf_dynptr_read(&amp;value, sizeof(T), &amp;source, offset, flags)</c>, kernel 5.19.</remarks>
    [BpfHelper(201)]
    public static long Read<T>(out T value, in Dynptr source, uint offset = 0, ulong flags = 0) where T : unmanaged
    {
        value = default;
        if (flags != 0 || source._data == null) return -Errno.EINVAL;
        if (!source.Covers(offset, (uint)sizeof(T))) return -Errno.E2BIG;
        value = Unsafe.ReadUnaligned<T>(source._data + offset);
        return 0;
    }

    /// <summary>A reference to the <c>T</c> at <paramref name="offset"/> of <paramref name="source"/>, or a null reference
    /// (check with <c>Unsafe.IsNullRef</c>) when it passes the end.</summary>
    /// <remarks><c>bpf_dynptr_data(&amp;source, offset, sizeof(T))</c>, kernel 5.19: the sample read in place.</remarks>
    [BpfHelper(203)]
    public static ref T Data<T>(in Dynptr source, uint offset = 0) where T : unmanaged
    {
        if (source._data == null || !source.Covers(offset, (uint)sizeof(T))) return ref Unsafe.NullRef<T>();
        return ref Unsafe.AsRef<T>(source._data + offset);
    }

    bool Covers(uint offset, uint length) => length <= _size && offset <= _size - length;
}
