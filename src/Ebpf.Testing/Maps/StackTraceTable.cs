using Ebpf.Testing.Memory;
using KernelMapType = Ebpf.Object.MapType;

namespace Ebpf.Testing.Maps;

/// <summary>Stack trace maps (<c>BPF_MAP_TYPE_STACK_TRACE</c>): <c>bpf_get_stackid</c> stores the stack the test gives
/// (<c>vm.Helpers.KernelStack</c>, <c>UserStack</c>) and returns its id. The buckets, ids and errors are the managed
/// kernel API's <see cref="StackTraceMap"/> (the same rules as the kernel's stackmap.c).</summary>
public sealed class StackTraceTable : InterpreterMap
{
    readonly StackTraceMap _stacks;

    internal StackTraceTable(string name, int valueSize, int maxEntries, AddressSpace memory)
        : base(name, KernelMapType.StackTrace, 4, valueSize, maxEntries, memory)
    {
        if (valueSize <= 0 || valueSize % 8 != 0) throw new ArgumentException($"stack trace map '{name}' needs a value size that is a multiple of 8, not {valueSize}");
        _stacks = new StackTraceMap((uint)maxEntries, maxDepth: (uint)(valueSize / 8));
    }

    /// <summary><c>bpf_get_stackid</c> over <paramref name="stack"/> (innermost first).</summary>
    internal long Store(ReadOnlySpan<ulong> stack, StackFlags flags) => _stacks.StoreStack(stack, flags);

    /// <summary>Stack <paramref name="id"/>'s addresses, innermost first, or null.</summary>
    public ulong[]? LookupStack(uint id) => _stacks.LookupStack(id);

    /// <summary>The value user space reads for id <paramref name="key"/>: the addresses, zero-padded to the value size.</summary>
    public override byte[]? Lookup(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        var stack = _stacks.LookupStack(BitConverter.ToUInt32(key));
        if (stack is null) return null;
        var value = new byte[ValueSize];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(stack.AsSpan()).CopyTo(value);
        return value;
    }

    internal override long DeleteElement(ReadOnlySpan<byte> key) => _stacks.Delete(BitConverter.ToUInt32(key));

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries
        => _stacks.Select(e => (BitConverter.GetBytes(e.Key), Lookup(BitConverter.GetBytes(e.Key))!)).ToList();
}
