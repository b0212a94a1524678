using KernelMapType = Ebpf.Object.MapType;
using Ebpf.Testing.Memory;

namespace Ebpf.Testing.Maps;

/// <summary>A program array (<c>BPF_MAP_TYPE_PROG_ARRAY</c>) for tail calls: slot -&gt; entry program name. The test fills
/// it with <see cref="Set"/> (user space does the same with program fds).</summary>
public sealed class ProgramArrayMap : InterpreterMap
{
    readonly string?[] _programs;

    internal ProgramArrayMap(string name, int maxEntries, AddressSpace memory)
        : base(name, KernelMapType.ProgArray, 4, 4, maxEntries, memory) => _programs = new string?[maxEntries];

    /// <summary>Puts entry program <paramref name="program"/> (null: empties the slot) at <paramref name="index"/>.</summary>
    public void Set(int index, string? program)
    {
        if ((uint)index >= (uint)MaxEntries) throw new ArgumentOutOfRangeException(nameof(index), index, $"program array '{Name}' has {MaxEntries} slots");
        _programs[index] = program;
    }

    /// <summary>The program at <paramref name="index"/>, or null (out of range or empty).</summary>
    public string? ProgramAt(ulong index) => index < (ulong)MaxEntries ? _programs[index] : null;

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries
        => _programs.Select((p, i) => (p, i)).Where(x => x.p is not null).Select(x => (BitConverter.GetBytes(x.i), System.Text.Encoding.UTF8.GetBytes(x.p!))).ToList();
}

/// <summary>A queue or stack map (<c>BPF_MAP_TYPE_QUEUE</c>, <c>BPF_MAP_TYPE_STACK</c>): keyless, values pushed with
/// <c>bpf_map_push_elem</c> and taken with <c>bpf_map_pop_elem</c> / <c>bpf_map_peek_elem</c>.</summary>
public sealed class QueueStackMap : InterpreterMap
{
    readonly LinkedList<byte[]> _values = new();
    readonly bool _stack;

    internal QueueStackMap(string name, KernelMapType type, int valueSize, int maxEntries, AddressSpace memory)
        : base(name, type, 0, valueSize, maxEntries, memory) => _stack = type == KernelMapType.Stack;

    public int Count => _values.Count;

    /// <summary><c>bpf_map_push_elem</c>: -E2BIG when full unless <c>BPF_EXIST</c>, which drops the oldest value.</summary>
    internal long Push(ReadOnlySpan<byte> value, ulong flags)
    {
        if (flags is not (Any or Exist)) return -EINVAL;
        if (_values.Count >= MaxEntries)
        {
            if (flags != Exist) return -E2BIG;
            _values.RemoveFirst();
        }
        _values.AddLast(value.ToArray());
        return 0;
    }

    /// <summary>The next value (front of a queue, top of a stack), removed when <paramref name="remove"/>; null when empty.</summary>
    internal byte[]? Take(bool remove)
    {
        var node = _stack ? _values.Last : _values.First;
        if (node is null) return null;
        if (remove) _values.Remove(node);
        return node.Value;
    }

    /// <summary>Pushes a value as user space would.</summary>
    public void Push(ReadOnlySpan<byte> value)
    {
        if (value.Length != ValueSize) throw new ArgumentException($"map '{Name}' has {ValueSize}-byte values, got {value.Length} bytes");
        if (Push(value, Any) != 0) throw new InvalidOperationException($"{this} is full");
    }

    /// <summary>Pops the next value as user space would, or null.</summary>
    public byte[]? Pop() => Take(remove: true);

    public override IEnumerable<(byte[] Key, byte[] Value)> Entries => _values.Select(v => (Array.Empty<byte>(), v.ToArray())).ToList();
}
