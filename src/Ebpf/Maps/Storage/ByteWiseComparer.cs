using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebpf.Maps.Storage;

/// <summary>Compares keys by their bytes, as the kernel's hash maps do (memcmp/jhash over key_size bytes),
/// not by <c>Equals</c>: two structs are the same key exactly when their bytes are.</summary>
internal sealed class ByteWiseComparer<T> : IEqualityComparer<T> where T : unmanaged
{
    public static readonly ByteWiseComparer<T> Instance = new();

    public bool Equals(T x, T y) => Bytes(ref x).SequenceEqual(Bytes(ref y));

    public int GetHashCode(T value)
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes(ref value));
        return hash.ToHashCode();
    }

    static ReadOnlySpan<byte> Bytes(ref T value) => MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref value, 1));

    public static ReadOnlySpan<byte> BytesOf(in T value) => MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(in value, 1));
}
