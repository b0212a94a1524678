using System.Runtime.InteropServices;

namespace Ebpf.Simulation;

/// <summary>A packet in native memory with head- and tailroom, so the <c>byte*</c> pointers a packet
/// context exposes are real and stay put while a program runs; the adjust helpers move its bounds.</summary>
internal sealed unsafe class PacketBuffer : IDisposable
{
    byte* _hardStart;
    int _frameSize;

    public PacketBuffer(ReadOnlySpan<byte> packet, int headroom, int frameSize) => Allocate(packet, headroom, frameSize);

    void Allocate(ReadOnlySpan<byte> packet, int headroom, int frameSize)
    {
        _frameSize = Math.Max(frameSize, headroom + packet.Length);
        _hardStart = (byte*)NativeMemory.AllocZeroed((nuint)_frameSize);
        Data = DataMeta = _hardStart + headroom;
        DataEnd = Data + packet.Length;
        packet.CopyTo(new Span<byte>(Data, packet.Length));
    }

    /// <summary>Replaces the packet with <paramref name="packet"/> in new memory, as the skb helpers that
    /// reallocate do: pointers into the old packet become invalid (the verifier makes programs reload them).</summary>
    public void Replace(ReadOnlySpan<byte> packet, int headroom, int tailroom)
    {
        var copy = packet.ToArray();
        NativeMemory.Free(HardStart);
        Allocate(copy, headroom, headroom + copy.Length + tailroom);
    }

    public byte* HardStart => _hardStart != null ? _hardStart : throw Disposed();
    public byte* HardEnd => HardStart + _frameSize;
    public byte* Data { get => Alive(field); set => field = value; }
    public byte* DataEnd { get => Alive(field); set => field = value; }
    public byte* DataMeta { get => Alive(field); set => field = value; }

    public int Length => (int)(DataEnd - Data);
    public Span<byte> Bytes => new(Data, Length);

    public void Dispose()
    {
        if (_hardStart == null) return;
        NativeMemory.Free(_hardStart);
        _hardStart = null;
    }

    byte* Alive(byte* pointer) => _hardStart != null ? pointer : throw Disposed();

    static ObjectDisposedException Disposed() =>
        new(nameof(PacketBuffer), "The packet was disposed; a context must not outlive the packet that owns its memory.");

    /// <summary>The safe read of a packet context: false unless [offset, offset+size) lies inside the packet.</summary>
    public bool TryRead<T>(int offset, out T value) where T : unmanaged
    {
        if (offset < 0 || (long)offset + sizeof(T) > Length) { value = default; return false; }
        value = System.Runtime.CompilerServices.Unsafe.ReadUnaligned<T>(Data + offset);
        return true;
    }

    /// <summary>The safe write of a packet context: false unless [offset, offset+size) lies inside the packet.</summary>
    public bool TryWrite<T>(int offset, in T value) where T : unmanaged
    {
        if (offset < 0 || (long)offset + sizeof(T) > Length) return false;
        System.Runtime.CompilerServices.Unsafe.WriteUnaligned(Data + offset, value);
        return true;
    }
}
