using System.Text;
using Ebpf.Semantics;
using Ebpf.Testing.Isa;
using Ebpf.Testing.Maps;

namespace Ebpf.Testing.Helpers;

/// <summary>The helpers a program may call in the interpreter, each replaceable by the test: the task, clock and CPU
/// helpers are delegates (<c>vm.Helpers.GetCurrentPidTgid = () =&gt; 42UL &lt;&lt; 32</c>), <c>bpf_probe_read_*</c> read
/// <see cref="KernelMemory"/>, <c>bpf_trace_printk</c> lines go to <see cref="TraceOutput"/>, and any helper id can be
/// replaced or added with <see cref="Override"/>. A call to a helper with no implementation stops the run with an
/// <see cref="InterpreterFault"/> naming the id and the helper.</summary>
public sealed class BpfHelpers
{
    const long EFAULT = 14, EINVAL = 22, ENOENT = 2;

    /// <summary>The id of <c>bpf_tail_call</c>, which the executor performs itself (it changes control flow).</summary>
    internal const int TailCall = 12;

    readonly Dictionary<int, Func<HelperCall, ulong>> _table;
    readonly Dictionary<int, Func<HelperCall, ulong>> _overrides = new();
    readonly Random _random = new(20261202);
    ulong _clock = 1_000_000_000;

    public BpfHelpers()
    {
        KtimeGetNs = () => _clock += 1000;
        GetPrandomU32 = () => (uint)_random.Next() ^ (uint)_random.Next() << 16;
        _table = new Dictionary<int, Func<HelperCall, ulong>>
        {
            [1] = MapLookup,
            [2] = c => (ulong)c.Map(c.Arg1).UpdateElement(c.Read(c.Arg2, (ulong)c.Map(c.Arg1).KeySize), c.Read(c.Arg3, (ulong)c.Map(c.Arg1).ValueSize), c.Arg4),
            [3] = c => (ulong)c.Map(c.Arg1).DeleteElement(c.Read(c.Arg2, (ulong)c.Map(c.Arg1).KeySize)),
            [4] = c => ProbeRead(c),                                   // bpf_probe_read
            [5] = _ => KtimeGetNs(),                                   // bpf_ktime_get_ns
            [6] = TracePrintk,                                         // bpf_trace_printk
            [7] = _ => GetPrandomU32(),                                // bpf_get_prandom_u32
            [8] = _ => GetSmpProcessorId(),                            // bpf_get_smp_processor_id
            [14] = _ => GetCurrentPidTgid(),                           // bpf_get_current_pid_tgid
            [15] = _ => GetCurrentUidGid(),                            // bpf_get_current_uid_gid
            [16] = CurrentComm,                                        // bpf_get_current_comm
            [25] = PerfEventOutput,                                    // bpf_perf_event_output
            [35] = _ => GetCurrentTask(),                              // bpf_get_current_task
            [158] = _ => GetCurrentTask(),                             // bpf_get_current_task_btf
            [45] = c => ProbeReadString(c),                            // bpf_probe_read_str
            [80] = _ => GetCurrentCgroupId(),                          // bpf_get_current_cgroup_id
            [87] = PushElement,                                        // bpf_map_push_elem
            [88] = c => PopOrPeek(c, remove: true),                    // bpf_map_pop_elem
            [89] = c => PopOrPeek(c, remove: false),                   // bpf_map_peek_elem
            [112] = c => ProbeRead(c),                                 // bpf_probe_read_user
            [113] = c => ProbeRead(c),                                 // bpf_probe_read_kernel
            [114] = c => ProbeReadString(c),                           // bpf_probe_read_user_str
            [115] = c => ProbeReadString(c),                           // bpf_probe_read_kernel_str
            [125] = _ => KtimeGetNs(),                                 // bpf_ktime_get_boot_ns
            [130] = c => (ulong)c.Map<RingBufferMap>(c.Arg1, "bpf_ringbuf_output").Output(c.Read(c.Arg2, c.Arg3), c.Arg4),
            [131] = c => c.Map<RingBufferMap>(c.Arg1, "bpf_ringbuf_reserve").Reserve(c.Arg2, c.Arg3),
            [132] = c => RingBufferCommit(c, submit: true),            // bpf_ringbuf_submit
            [133] = c => RingBufferCommit(c, submit: false),           // bpf_ringbuf_discard
            [134] = c => c.Map<RingBufferMap>(c.Arg1, "bpf_ringbuf_query").Query(c.Arg2),
            [160] = _ => KtimeGetNs(),                                 // bpf_ktime_get_coarse_ns
            [208] = _ => KtimeGetNs(),                                 // bpf_ktime_get_tai_ns
            [107] = c => StorageGet(c, "bpf_sk_storage_get"),
            [108] = c => StorageDelete(c, "bpf_sk_storage_delete"),
            [145] = c => StorageGet(c, "bpf_inode_storage_get"),
            [146] = c => StorageDelete(c, "bpf_inode_storage_delete"),
            [156] = c => StorageGet(c, "bpf_task_storage_get"),
            [157] = c => StorageDelete(c, "bpf_task_storage_delete"),
            [210] = c => StorageGet(c, "bpf_cgrp_storage_get"),
            [211] = c => StorageDelete(c, "bpf_cgrp_storage_delete"),
            [197] = DynptrFromMemory,                                  // bpf_dynptr_from_mem
            [201] = DynptrRead,                                        // bpf_dynptr_read
            [203] = DynptrData,                                        // bpf_dynptr_data
            [209] = UserRingBufferDrain,                               // bpf_user_ringbuf_drain
            [23] = Redirect,                                           // bpf_redirect
            [27] = GetStackId,                                         // bpf_get_stackid
            [51] = RedirectMap,                                        // bpf_redirect_map
            [67] = GetStack,                                           // bpf_get_stack
            [164] = ForEachMapElement,                                 // bpf_for_each_map_elem
            [181] = Loop,                                              // bpf_loop
            [183] = FuncArg,                                           // bpf_get_func_arg
            [184] = c => WriteU64(c, c.Arg2, c.Vm.Tracing.ReturnValue),   // bpf_get_func_ret
            [185] = c => (ulong)c.Vm.Tracing.Count,                    // bpf_get_func_arg_cnt
        };
    }

    /// <summary>The kernel call stack <c>bpf_get_stackid</c> and <c>bpf_get_stack</c> see, innermost address first.
    /// Default: none (they return -EFAULT).</summary>
    public Func<ulong[]> KernelStack { get; set; } = () => [];
    /// <summary>The user call stack (BPF_F_USER_STACK), innermost first. Default: none.</summary>
    public Func<ulong[]> UserStack { get; set; } = () => [];

    /// <summary><c>bpf_get_current_pid_tgid</c>: tgid &lt;&lt; 32 | pid. Default: process 1000, thread 1000.</summary>
    public Func<ulong> GetCurrentPidTgid { get; set; } = () => 1000UL << 32 | 1000;
    /// <summary><c>bpf_get_current_uid_gid</c>: gid &lt;&lt; 32 | uid. Default 0 (root).</summary>
    public Func<ulong> GetCurrentUidGid { get; set; } = () => 0;
    /// <summary><c>bpf_ktime_get_ns</c> (also the boot, coarse and TAI clocks). Default: starts at 1 s and advances 1 µs per call.</summary>
    public Func<ulong> KtimeGetNs { get; set; }
    /// <summary><c>bpf_get_current_comm</c>: the task name (at most 15 bytes are copied). Default "test".</summary>
    public Func<string> GetCurrentComm { get; set; } = () => "test";
    /// <summary><c>bpf_get_smp_processor_id</c>. Default 0.</summary>
    public Func<uint> GetSmpProcessorId { get; set; } = () => 0;
    /// <summary><c>bpf_get_prandom_u32</c>. Default: a seeded (reproducible) generator.</summary>
    public Func<uint> GetPrandomU32 { get; set; }
    /// <summary><c>bpf_get_current_cgroup_id</c>. Default 1 (the root cgroup).</summary>
    public Func<ulong> GetCurrentCgroupId { get; set; } = () => 1;
    /// <summary><c>bpf_get_current_task</c>: the address of a <c>task_struct</c> (place one in <see cref="KernelMemory"/>). Default 0.</summary>
    public Func<ulong> GetCurrentTask { get; set; } = () => 0;
    /// <summary>The memory <c>bpf_probe_read_*</c> read (besides the program's own memory).</summary>
    public FakeKernelMemory KernelMemory { get; set; } = new();
    /// <summary>Lines written with <c>bpf_trace_printk</c> (what /sys/kernel/tracing/trace_pipe would show after the prefix).</summary>
    public List<string> TraceOutput { get; } = new();

    /// <summary>Replaces (or adds) the implementation of helper <paramref name="id"/>; it returns R0.</summary>
    public void Override(int id, Func<HelperCall, ulong> implementation) => _overrides[id] = implementation;

    /// <summary>Whether helper <paramref name="id"/> has an implementation.</summary>
    public bool Has(int id) => _overrides.ContainsKey(id) || _table.ContainsKey(id) || id == TailCall;

    internal ulong Invoke(HelperCall call)
    {
        if (_overrides.TryGetValue(call.Id, out var custom) || _table.TryGetValue(call.Id, out custom)) return custom(call);
        throw new FaultSignal(FaultKind.UnknownHelper,
            $"helper {call.Id} ({HelperNames.Of(call.Id)}) is not implemented by the interpreter; provide it with vm.Helpers.Override({call.Id}, call => ...)");
    }

    /// <summary>BPF_MAX_LOOPS: bpf_loop refuses more iterations with -E2BIG.</summary>
    const ulong MaxLoops = 1 << 23;

    /// <summary><c>bpf_loop(nr_loops, callback_fn, callback_ctx, flags)</c>: calls back with (i, ctx) until the callback
    /// returns 1; returns the number of calls made.</summary>
    static ulong Loop(HelperCall c)
    {
        if (c.Arg4 != 0) return unchecked((ulong)-EINVAL);
        ulong count = c.Arg1 & 0xffffffff;
        if (count > MaxLoops) return unchecked((ulong)-E2BIG);
        ulong function = c.Arg2, context = c.Arg3;
        for (ulong i = 0; i < count; i++)
            if (c.CallBack(function, i, context) != 0) return i + 1;
        return count;
    }

    /// <summary><c>bpf_for_each_map_elem(map, callback_fn, callback_ctx, flags)</c>: calls back with (map, &amp;key,
    /// &amp;value, ctx) for each element until the callback returns 1; returns the number of elements visited. The
    /// key is a read-only copy; the value is the element itself.</summary>
    static ulong ForEachMapElement(HelperCall c)
    {
        if (c.Arg4 != 0) return unchecked((ulong)-EINVAL);
        var map = c.Map(c.Arg1);
        ulong visited = 0;
        foreach (var (key, valueAddress) in map.Elements())
        {
            var keyRegion = c.Memory.Map($"key of map '{map.Name}' for bpf_for_each_map_elem", Memory.RegionKind.MapKey, key, writable: false);
            try
            {
                visited++;
                if (c.CallBack(c.Arg2, c.Arg1, keyRegion.Address, valueAddress, c.Arg3) != 0) break;
            }
            finally
            {
                c.Memory.Unmap(keyRegion);
            }
        }
        return visited;
    }

    // A dynptr as the interpreter lays out its 16 bytes: the data's address, its size, and 0. Programs treat dynptrs
    // as opaque and reach them only through these helpers, so the layout is the interpreter's own.
    static (ulong Data, uint Size) ReadDynptr(HelperCall c, ulong address)
    {
        var bytes = c.Read(address, 16);
        return (BitConverter.ToUInt64(bytes), BitConverter.ToUInt32(bytes[8..]));
    }

    static void WriteDynptr(HelperCall c, ulong address, ulong data, uint size)
    {
        var bytes = c.Write(address, 16);
        bytes.Clear();
        BitConverter.TryWriteBytes(bytes, data);
        BitConverter.TryWriteBytes(bytes[8..], size);
    }

    /// <summary><c>bpf_dynptr_from_mem(data, size, flags, ptr)</c>: 0; -EINVAL (and an empty dynptr) for flags other than 0.</summary>
    static ulong DynptrFromMemory(HelperCall c)
    {
        if (c.Arg3 != 0)
        {
            WriteDynptr(c, c.Arg4, 0, 0);
            return unchecked((ulong)-EINVAL);
        }
        c.Read(c.Arg1, c.Arg2 & 0xffffffff);
        WriteDynptr(c, c.Arg4, c.Arg1, (uint)c.Arg2);
        return 0;
    }

    /// <summary><c>bpf_dynptr_read(dst, len, src, offset, flags)</c>: 0; -EINVAL for an empty dynptr or flags, -E2BIG
    /// past its end (the destination cleared on failure).</summary>
    static ulong DynptrRead(HelperCall c)
    {
        var destination = c.Write(c.Arg1, c.Arg2 & 0xffffffff);
        var (data, size) = ReadDynptr(c, c.Arg3);
        uint offset = (uint)c.Arg4;
        long error = DynptrAccess.CheckRead(destination, data == 0, size, offset, c.Arg5);
        if (error == 0) c.Read(data + offset, (ulong)destination.Length).CopyTo(destination);
        return unchecked((ulong)error);
    }

    /// <summary><c>bpf_dynptr_data(ptr, offset, len)</c>: the address of the bytes, or 0 when the dynptr is empty or they
    /// pass its end.</summary>
    static ulong DynptrData(HelperCall c)
    {
        var (data, size) = ReadDynptr(c, c.Arg1);
        uint offset = (uint)c.Arg2, length = (uint)c.Arg3;
        return DynptrAccess.CanExpose(data == 0, size, offset, length) ? data + offset : 0;
    }

    /// <summary><c>bpf_user_ringbuf_drain(map, callback_fn, ctx, flags)</c>: calls back with (&amp;dynptr, ctx) for each
    /// sample, oldest first, until the callback returns 1; returns the number consumed, or -EINVAL for flags other than
    /// BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP.</summary>
    static ulong UserRingBufferDrain(HelperCall c)
    {
        var map = c.Map<UserRingBufferMap>(c.Arg1, "bpf_user_ringbuf_drain");
        if ((c.Arg4 & ~UserRingBuffer.WakeupFlags) != 0) return unchecked((ulong)-EINVAL);
        ulong drained = 0;
        while (drained < UserRingBuffer.MaxSamplesPerDrain && map.TryTake(out var sample))
        {
            drained++;
            var sampleRegion = c.Memory.Map($"sample of user ring buffer '{map.Name}'", Memory.RegionKind.MapValue, sample);
            var dynptr = new byte[16];
            var dynptrRegion = c.Memory.Map($"dynptr of a sample of '{map.Name}'", Memory.RegionKind.ReadOnly, dynptr, writable: false);
            BitConverter.TryWriteBytes(dynptr, sampleRegion.Address);
            BitConverter.TryWriteBytes(dynptr.AsSpan(8), (uint)sample.Length);
            try
            {
                if (c.CallBack(c.Arg2, dynptrRegion.Address, c.Arg3) != 0) break;
            }
            finally
            {
                c.Memory.Unmap(dynptrRegion);
                c.Memory.Unmap(sampleRegion);
            }
        }
        return drained;
    }

    ulong[] StackFor(StackFlags flags) => StackCopy.WantsUserStack(flags) ? UserStack() : KernelStack();

    /// <summary><c>bpf_get_stackid(ctx, map, flags)</c>: the id of the current stack in the map.</summary>
    ulong GetStackId(HelperCall c)
        => (ulong)c.Map<StackTraceTable>(c.Arg2, "bpf_get_stackid").Store(StackFor((StackFlags)c.Arg3), (StackFlags)c.Arg3);

    /// <summary><c>bpf_get_stack(ctx, buf, size, flags)</c>: the stack's addresses after the skipped ones, the rest of the
    /// buffer zeroed; the bytes written, or -EINVAL (the buffer cleared).</summary>
    ulong GetStack(HelperCall c)
        => unchecked((ulong)StackCopy.Fill(c.Write(c.Arg2, c.Arg3 & 0xffffffff), (StackFlags)c.Arg4, flags => StackFor(flags)));

    /// <summary><c>bpf_redirect(ifindex, flags)</c>: XDP_REDIRECT in XDP (XDP_ABORTED for any flags), TC_ACT_REDIRECT in
    /// an skb program (TC_ACT_SHOT for flags other than BPF_F_INGRESS); recorded in the run's PacketResult.</summary>
    static ulong Redirect(HelperCall c)
    {
        const ulong XdpAborted = 0, XdpRedirect = 4, TcShot = 2, TcRedirect = 7, Ingress = 1;
        if (c.Vm.PacketIsXdp)
        {
            if (c.Arg2 != 0) return XdpAborted;
            c.Vm.Redirect = new PacketRedirect(null, (uint)c.Arg1, 0);
            return XdpRedirect;
        }
        if ((c.Arg2 & ~Ingress) != 0) return TcShot;
        c.Vm.Redirect = new PacketRedirect(null, (uint)c.Arg1, c.Arg2);
        return TcRedirect;
    }

    /// <summary><c>bpf_redirect_map(map, key, flags)</c>: XDP_REDIRECT when the key holds a target (recorded in the run's
    /// PacketResult), else the action in the low two bits of flags.</summary>
    static ulong RedirectMap(HelperCall c)
    {
        const ulong XdpRedirect = 4;
        var map = c.Map<RedirectTable>(c.Arg1, "bpf_redirect_map");
        uint key = (uint)c.Arg2;
        if (!map.HasTarget(key)) return c.Arg3 & 3;
        c.Vm.Redirect = new PacketRedirect(map.Name, key, c.Arg3);
        return XdpRedirect;
    }

    static ulong FuncArg(HelperCall c)
    {
        if (c.Arg2 >= (ulong)c.Vm.Tracing.Count) return unchecked((ulong)-EINVAL);
        return WriteU64(c, c.Arg3, BitConverter.ToUInt64(c.Read(c.Context + c.Arg2 * 8, 8)));
    }

    static ulong WriteU64(HelperCall c, ulong address, ulong value)
    {
        BitConverter.TryWriteBytes(c.Write(address, 8), value);
        return 0;
    }

    static ulong MapLookup(HelperCall c)
    {
        var map = c.Map(c.Arg1);
        return map.LookupAddress(c.Read(c.Arg2, (ulong)map.KeySize));
    }

    static ulong PushElement(HelperCall c)
    {
        var map = c.Map(c.Arg1);
        var value = c.Read(c.Arg2, (ulong)map.ValueSize);
        return map switch
        {
            BloomFilterMap bloom => (ulong)bloom.Add(value, c.Arg3),
            _ => (ulong)c.Map<QueueStackMap>(c.Arg1, "bpf_map_push_elem").Push(value, c.Arg3),
        };
    }

    static ulong StorageGet(HelperCall c, string helper)
    {
        var map = c.Map<LocalStorageMap>(c.Arg1, helper);
        var initial = c.Arg3 == 0 ? ReadOnlySpan<byte>.Empty : c.Read(c.Arg3, (ulong)map.ValueSize);
        return map.Get(c.Arg2, initial, c.Arg4);
    }

    static ulong StorageDelete(HelperCall c, string helper) => (ulong)c.Map<LocalStorageMap>(c.Arg1, helper).Remove(c.Arg2);

    static ulong PopOrPeek(HelperCall c, bool remove)
    {
        if (!remove && c.Map(c.Arg1) is BloomFilterMap bloom)
            return bloom.MayContain(c.Read(c.Arg2, (ulong)bloom.ValueSize)) ? 0 : unchecked((ulong)-ENOENT);
        var map = c.Map<QueueStackMap>(c.Arg1, remove ? "bpf_map_pop_elem" : "bpf_map_peek_elem");
        var destination = c.Write(c.Arg2, (ulong)map.ValueSize);
        var value = map.Take(remove);
        if (value is null) return unchecked((ulong)-ENOENT);
        value.CopyTo(destination);
        return 0;
    }

    static ulong RingBufferCommit(HelperCall c, bool submit)
    {
        string helper = submit ? "bpf_ringbuf_submit" : "bpf_ringbuf_discard";
        var owner = c.Vm.Maps.Values.OfType<RingBufferMap>().FirstOrDefault(r => r.Owns(c.Arg1))
            ?? throw new FaultSignal(FaultKind.InvalidHelperArgument, $"{helper} of 0x{c.Arg1:x}, which is not a reserved ring-buffer record (submitted twice, or never reserved?)", c.Arg1);
        owner.Commit(c.Arg1, submit, helper);
        return 0;
    }

    ulong CurrentComm(HelperCall c)
    {
        var destination = c.Write(c.Arg1, c.Arg2);
        if (destination.IsEmpty) return unchecked((ulong)-EINVAL);
        destination.Clear();
        var name = Encoding.UTF8.GetBytes(GetCurrentComm());
        name.AsSpan(0, Math.Min(name.Length, Math.Min(destination.Length - 1, 15))).CopyTo(destination);
        return 0;
    }

    static ulong PerfEventOutput(HelperCall c)
    {
        var map = c.Map<PerfEventArrayMap>(c.Arg2, "bpf_perf_event_output");
        const ulong CurrentCpu = 0xffffffff; // BPF_F_CURRENT_CPU
        ulong index = c.Arg3 & 0xffffffff;
        int cpu = index == CurrentCpu ? (int)c.Vm.Helpers.GetSmpProcessorId() : (int)index;
        if (cpu >= map.MaxEntries) return unchecked((ulong)-E2BIG);
        map.Output(cpu, c.Read(c.Arg4, c.Arg5));
        return 0;
    }

    const long E2BIG = 7;

    /// <summary><c>bpf_probe_read*(dst, size, src)</c>: 0, or -EFAULT with <c>dst</c> zeroed when <c>src</c> is not readable.</summary>
    ulong ProbeRead(HelperCall c)
    {
        var destination = c.Write(c.Arg1, c.Arg2);
        if (KernelMemory.TryRead(c.Arg3, destination)) return 0;
        var own = c.Memory.Find(c.Arg3, destination.Length);
        if (own is not null && destination.Length > 0)
        {
            own.Span.Slice((int)(c.Arg3 - own.Address), destination.Length).CopyTo(destination);
            return 0;
        }
        destination.Clear();
        return unchecked((ulong)-EFAULT);
    }

    /// <summary><c>bpf_probe_read_*_str(dst, size, src)</c>: copies up to the terminating zero (at most size - 1 bytes,
    /// then a zero); returns the length including the zero, or -EFAULT.</summary>
    ulong ProbeReadString(HelperCall c)
    {
        var destination = c.Write(c.Arg1, c.Arg2);
        if (destination.IsEmpty) return unchecked((ulong)-EINVAL);
        var source = KernelMemory.From(c.Arg3);
        if (source.IsEmpty)
        {
            var own = c.Memory.Find(c.Arg3, 1);
            if (own is not null) source = own.Span[(int)(c.Arg3 - own.Address)..];
        }
        if (source.IsEmpty)
        {
            destination.Clear();
            return unchecked((ulong)-EFAULT);
        }
        int zero = source.IndexOf((byte)0);
        int length = Math.Min(zero < 0 ? source.Length : zero, destination.Length - 1);
        source[..length].CopyTo(destination);
        destination[length] = 0;
        return (ulong)(length + 1);
    }

    ulong TracePrintk(HelperCall c)
    {
        var format = c.Read(c.Arg1, c.Arg2);
        int end = format.IndexOf((byte)0);
        var text = Encoding.UTF8.GetString(end < 0 ? format : format[..end]);
        var line = PrintkFormat.Format(text, [c.Arg3, c.Arg4, c.Arg5], address => ReadString(c, address));
        TraceOutput.Add(line.TrimEnd('\n'));
        return (ulong)Encoding.UTF8.GetByteCount(line);
    }

    static string ReadString(HelperCall c, ulong address)
    {
        var region = c.Memory.Find(address, 1);
        if (region is null) return "(efault)";
        var bytes = region.Span[(int)(address - region.Address)..];
        int zero = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(zero < 0 ? bytes : bytes[..zero]);
    }
}
