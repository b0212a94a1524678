using System.Buffers.Binary;
using Ebpf.Testing.Isa;

namespace Ebpf.Testing.Memory;

/// <summary>Loads and stores through an <see cref="AddressSpace"/> with the checks the verifier makes statically:
/// the whole access inside one region, stores only into writable regions, nothing near address 0.</summary>
public static class CheckedMemory
{
    const ulong NullPage = 4096;

    /// <summary>Reads <paramref name="size"/> (1, 2, 4, 8) bytes, zero-extended; a context pointer field reads as its pointer.</summary>
    public static ulong Load(this AddressSpace space, ulong address, int size)
    {
        var region = Resolve(space, address, size, write: false);
        int offset = (int)(address - region.Address);
        if (region.PointerFields is { } fields && fields.TryGetValue(offset, out var pointer)) return pointer();
        var bytes = region.Bytes.AsSpan(region.Offset + offset, size);
        return size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        };
    }

    /// <summary>Writes the low <paramref name="size"/> bytes of <paramref name="value"/>.</summary>
    public static void Store(this AddressSpace space, ulong address, int size, ulong value)
    {
        var region = Resolve(space, address, size, write: true);
        var bytes = region.Bytes.AsSpan(region.Offset + (int)(address - region.Address), size);
        switch (size)
        {
            case 1: bytes[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(bytes, value); break;
        }
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="address"/>, checked for reading (helpers' memory arguments).</summary>
    public static Span<byte> Readable(this AddressSpace space, ulong address, int length)
    {
        if (length == 0) return Span<byte>.Empty;
        var region = Resolve(space, address, length, write: false);
        return region.Bytes.AsSpan(region.Offset + (int)(address - region.Address), length);
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="address"/>, checked for writing.</summary>
    public static Span<byte> Writable(this AddressSpace space, ulong address, int length)
    {
        if (length == 0) return Span<byte>.Empty;
        var region = Resolve(space, address, length, write: true);
        return region.Bytes.AsSpan(region.Offset + (int)(address - region.Address), length);
    }

    static MemoryRegion Resolve(AddressSpace space, ulong address, int size, bool write)
    {
        var region = space.Find(address, size);
        string access = write ? "write" : "read";
        if (region is null) throw Outside(space, address, size, access);
        if (write && !region.Writable)
            throw new FaultSignal(FaultKind.ReadOnlyWrite, $"{access} of {size} bytes at 0x{address:x} into read-only {region}", address, region.ToString());
        if (write && region.PointerFields is { } fields && fields.ContainsKey((int)(address - region.Address)))
            throw new FaultSignal(FaultKind.ReadOnlyWrite, $"{access} of {size} bytes at 0x{address:x} into a pointer field of {region}", address, region.ToString());
        return region;
    }

    static FaultSignal Outside(AddressSpace space, ulong address, int size, string access)
    {
        if (address < NullPage)
            return new FaultSignal(FaultKind.NullDereference, $"{access} of {size} bytes at 0x{address:x}: a NULL pointer (a map lookup or reserve not checked for null?)", address);
        var near = space.Nearest(address);
        var above = space.Above(address);
        if (above is not null && (near is null || address >= near.End && above.Address - address < address - near.End))
        {
            ulong below = above.Address - address;
            return new FaultSignal(FaultKind.OutOfBounds, above.Kind == RegionKind.Stack
                ? $"{access} of {size} bytes at 0x{address:x}, {below} bytes below {above}: beyond the 512-byte stack"
                : $"{access} of {size} bytes at 0x{address:x}, {below} bytes before the start of {above}", address, above.ToString());
        }
        if (near is null)
            return new FaultSignal(FaultKind.OutOfBounds, $"{access} of {size} bytes at 0x{address:x}, outside every region", address);
        string region = near.ToString();
        if (near.Kind == RegionKind.MapHandle)
            return new FaultSignal(FaultKind.OutOfBounds, $"{access} of {size} bytes at 0x{address:x}: {near.Name} is a map, not memory (pass it to map helpers)", address, region);
        long from = (long)(address - near.Address);
        if (address < near.End)
            return new FaultSignal(FaultKind.OutOfBounds, near.Kind == RegionKind.Packet
                ? $"{access} of {size} bytes at packet offset {from} runs past data_end (packet length {near.Length}): bounds check missing or too short"
                : $"{access} of {size} bytes at offset {from} of {region} runs past its end ({near.Length} bytes)", address, region);
        long past = (long)(address - near.End);
        return new FaultSignal(FaultKind.OutOfBounds, near.Kind == RegionKind.Packet
            ? $"{access} of {size} bytes at packet offset {from}, past data_end (packet length {near.Length}): bounds check missing or too short"
            : near.Kind == RegionKind.Stack && address < near.End + 512
                ? $"{access} of {size} bytes at 0x{address:x}, {past} bytes above {region}: stack offsets must be negative (R10 is the top)"
                : $"{access} of {size} bytes at 0x{address:x}, {past} bytes past the end of {region}", address, region);
    }
}
