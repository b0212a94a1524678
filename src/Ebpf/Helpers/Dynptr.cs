using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf.Semantics;

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
        fixed (T* destination = &value) return source.CopyTo((byte*)destination, (uint)sizeof(T), offset, flags);
    }

    /// <summary>A reference to the <c>T</c> at <paramref name="offset"/> of <paramref name="source"/>, or a null reference
    /// (check with <c>Unsafe.IsNullRef</c>) when it passes the end.</summary>
    /// <remarks><c>bpf_dynptr_data(&amp;source, offset, sizeof(T))</c>, kernel 5.19: the sample read in place.</remarks>
    [BpfHelper(203)]
    public static ref T Data<T>(in Dynptr source, uint offset = 0) where T : unmanaged
    {
        void* address = source.AddressOf(offset, (uint)sizeof(T));
        return ref address == null ? ref Unsafe.NullRef<T>() : ref Unsafe.AsRef<T>(address);
    }

    /// <summary>bpf_dynptr_read: the checks (<see cref="DynptrAccess.CheckRead"/>), then the copy.</summary>
    internal long CopyTo(byte* destination, uint length, uint offset, ulong flags)
    {
        long error = DynptrAccess.CheckRead(new Span<byte>(destination, (int)length), _data == null, (uint)_size, offset, flags);
        if (error == 0) Buffer.MemoryCopy(_data + offset, destination, length, length);
        return error;
    }

    /// <summary>bpf_dynptr_data: the address of the bytes, or null when the dynptr is empty or they pass its end.</summary>
    internal void* AddressOf(uint offset, uint length)
        => DynptrAccess.CanExpose(_data == null, (uint)_size, offset, length) ? _data + offset : null;
}
