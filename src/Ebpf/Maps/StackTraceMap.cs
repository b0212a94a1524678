using System.Collections;
using System.Numerics;

namespace Ebpf;

/// <summary>Flags of <c>bpf_get_stackid</c> and <c>bpf_get_stack</c> (BPF_F_USER_STACK, ...). The low 8 bits
/// (BPF_F_SKIP_FIELD_MASK) are the number of innermost frames to skip: <c>(StackFlags)3 | StackFlags.UserStack</c>.</summary>
[Flags]
public enum StackFlags : ulong
{
    None = 0,
    /// <summary>BPF_F_SKIP_FIELD_MASK: the frames-to-skip field.</summary>
    SkipMask = 0xFF,
    /// <summary>BPF_F_USER_STACK: the user-space stack instead of the kernel's.</summary>
    UserStack = 1 << 8,
    /// <summary>BPF_F_FAST_STACK_CMP: compare stacks by hash only (get_stackid).</summary>
    FastStackCompare = 1 << 9,
    /// <summary>BPF_F_REUSE_STACKID: replace a different stack in the same bucket instead of failing (get_stackid).</summary>
    ReuseStackId = 1 << 10,
    /// <summary>BPF_F_USER_BUILD_ID: build id + offset instead of addresses (get_stack).</summary>
    UserBuildId = 1 << 11,
}

/// <summary>A table of call stacks (BPF_MAP_TYPE_STACK_TRACE): <see cref="Bpf.GetStackid{TContext}"/> stores the
/// current stack and returns its id, which a program keeps (e.g. as a key of a count map).</summary>
/// <remarks>Kernel 4.6. The key is the <c>uint</c> id; the value is <c>maxDepth</c> 8-byte addresses
/// (value_size = 8 * maxDepth; PERF_MAX_STACK_DEPTH is 127). Buckets are the hash of the stack modulo the
/// table size (rounded up to a power of two); a different stack in an occupied bucket fails with -EEXIST
/// unless <see cref="StackFlags.ReuseStackId"/>. Programs cannot look stacks up, only user space:
/// <see cref="LookupStack"/>.</remarks>
[BpfMap(MapType.StackTrace, KeySize = 4)]
public sealed class StackTraceMap : BpfMap, IEnumerable<KeyValuePair<uint, ulong[]>>
{
    /// <summary>PERF_MAX_STACK_DEPTH: the kernel's default and limit for <c>maxDepth</c>.</summary>
    public const uint DefaultMaxDepth = 127;

    readonly ulong[]?[] _buckets;
    readonly Lock _gate = new();

    /// <summary>Defines the table: <paramref name="maxEntries"/> stacks of up to <paramref name="maxDepth"/> frames.</summary>
    public StackTraceMap(uint maxEntries, MapFlags flags = MapFlags.None, MapPinning pinning = MapPinning.None, uint maxDepth = DefaultMaxDepth)
        : base(MapType.StackTrace, maxEntries, flags, pinning)
    {
        if (maxDepth == 0) throw new ArgumentOutOfRangeException(nameof(maxDepth), "A stack trace map stores at least one frame.");
        MaxDepth = maxDepth;
        _buckets = new ulong[]?[BitOperations.RoundUpToPowerOf2(maxEntries)];
    }

    /// <summary>Frames per stack (value_size / 8).</summary>
    [ManagedOnly] public uint MaxDepth { get; }

    /// <summary>Removes stack <paramref name="id"/>; returns 0 or -ENOENT.</summary>
    /// <remarks><c>bpf_map_delete_elem(map, &amp;id)</c>.</remarks>
    [MapHelper(3)]
    public long Delete(in uint id)
    {
        lock (_gate)
        {
            if (id >= _buckets.Length || _buckets[id] is null) return -Errno.ENOENT;
            _buckets[id] = null;
            return 0;
        }
    }

    /// <summary>The addresses of stack <paramref name="id"/>, innermost first, or null.</summary>
    [ManagedOnly]
    public ulong[]? LookupStack(uint id)
    {
        lock (_gate) return id < _buckets.Length ? _buckets[id]?.ToArray() : null;
    }

    /// <summary>The number of stored stacks.</summary>
    [ManagedOnly] public int Count { get { lock (_gate) return _buckets.Count(b => b is not null); } }

    /// <summary>Removes every stack.</summary>
    [ManagedOnly] public void Clear() { lock (_gate) Array.Clear(_buckets); }

    /// <summary>Every stored stack with its id.</summary>
    [ManagedOnly]
    public IEnumerator<KeyValuePair<uint, ulong[]>> GetEnumerator()
    {
        List<KeyValuePair<uint, ulong[]>> all = [];
        lock (_gate)
            for (uint id = 0; id < _buckets.Length; id++)
                if (_buckets[id] is { } stack) all.Add(new(id, stack.ToArray()));
        return all.GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Stores <paramref name="stack"/> (innermost first) as <c>bpf_get_stackid</c> stores the current stack:
    /// returns its id, or -EINVAL, -EFAULT (no frames after the skipped ones) or -EEXIST (the bucket holds another
    /// stack).</summary>
    /// <remarks>For simulators of the kernel (Ebpf.Testing's interpreter) and tests; probes call
    /// <see cref="Bpf.GetStackid{TContext}"/>.</remarks>
    [ManagedOnly]
    public long StoreStack(ReadOnlySpan<ulong> stack, StackFlags flags) => Store(stack, flags);

    /// <summary>The kernel's bpf_get_stackid over a captured stack.</summary>
    internal long Store(ReadOnlySpan<ulong> stack, StackFlags flags)
    {
        if (((ulong)flags & ~(ulong)(StackFlags.SkipMask | StackFlags.UserStack | StackFlags.FastStackCompare | StackFlags.ReuseStackId)) != 0)
            return -Errno.EINVAL;
        int skip = (int)((ulong)flags & (ulong)StackFlags.SkipMask);
        if (stack.Length <= skip) return -Errno.EFAULT;
        var frames = stack[skip..];
        if (frames.Length > MaxDepth) frames = frames[..(int)MaxDepth];
        var hash = new HashCode();
        foreach (var ip in frames) hash.Add(ip);
        uint id = (uint)hash.ToHashCode() & (uint)(_buckets.Length - 1);
        lock (_gate)
        {
            var present = _buckets[id];
            if (present is not null && present.AsSpan().SequenceEqual(frames)) return id;
            if (present is not null && (flags & StackFlags.ReuseStackId) == 0) return -Errno.EEXIST;
            _buckets[id] = frames.ToArray();
            return id;
        }
    }
}
