using System.Runtime.InteropServices;
using Ebpf.Asm;
using Ebpf.Object;
using Ebpf.Testing.Helpers;
using Ebpf.Testing.Isa;
using Ebpf.Testing.Maps;
using Ebpf.Testing.Memory;

namespace Ebpf.Testing;

/// <summary>An eBPF object loaded into the in-process interpreter: its programs, maps and global data, ready to run
/// any program type from a unit test, without root and without a kernel.</summary>
/// <remarks>Create one with <see cref="BpfTestHost"/>. Each <c>Run*</c> call runs one program to its exit on a fresh
/// stack; maps, globals and helper state persist between runs, as they do between kernel invocations. Memory accesses
/// are checked against the regions the program may reach (stack, context, packet, map values, ring-buffer records,
/// global data); a violation, an unknown helper or a runaway loop stops the run with an <see cref="InterpreterFault"/>.</remarks>
public sealed class BpfVm
{
    readonly Dictionary<string, InterpreterMap> _maps = new(StringComparer.Ordinal);
    readonly List<InterpreterMap> _mapOrder = new();
    readonly Dictionary<ulong, InterpreterMap> _mapsByHandle = new();
    readonly Dictionary<string, ProgramImage> _programs = new(StringComparer.Ordinal);

    internal BpfVm(ObjectSpec? spec)
    {
        Spec = spec;
        Globals = new GlobalData(this);
    }

    /// <summary>The object the programs come from (null for bare instruction sequences).</summary>
    public ObjectSpec? Spec { get; }
    /// <summary>The interpreter's address space (regions the programs may access).</summary>
    public AddressSpace Memory { get; } = new();
    /// <summary>The helpers programs call; replace any of them per test.</summary>
    public BpfHelpers Helpers { get; } = new();
    /// <summary>The most instructions one run may execute before it is stopped as a runaway loop (default 1,000,000).</summary>
    public long InstructionBudget { get; set; } = 1_000_000;
    /// <summary>The maps by name (hash and array maps, ring buffers, program arrays...).</summary>
    public IReadOnlyDictionary<string, InterpreterMap> Maps => _maps;
    /// <summary>The global variables of <c>.data</c>, <c>.bss</c> and <c>.rodata</c>: set them before a run, read them after.</summary>
    public GlobalData Globals { get; }
    /// <summary>The entry programs by name (sub-programs are linked into them).</summary>
    public IReadOnlyDictionary<string, ProgramImage> Programs => _programs;
    /// <summary>Arguments of the tracing program running now (fentry/fexit/LSM), for bpf_get_func_arg and friends.</summary>
    internal (int Count, ulong ReturnValue) Tracing { get; private set; }
    /// <summary>The redirect the running packet program asked for (bpf_redirect, bpf_redirect_map), if any.</summary>
    internal PacketRedirect? Redirect { get; set; }
    /// <summary>Whether the running packet program is XDP (else an skb program: tc, socket filter, cgroup_skb).</summary>
    internal bool PacketIsXdp { get; private set; }

    /// <summary>Map <paramref name="name"/> with typed keys and values (<c>vm.GetMap&lt;uint, ulong&gt;("Counts")[pid]</c>).</summary>
    public TypedMap<TKey, TValue> GetMap<TKey, TValue>(string name) where TKey : unmanaged where TValue : unmanaged
        => new(Map<InterpreterMap>(name));

    /// <summary>Map <paramref name="name"/> as its interpreter type (<see cref="RingBufferMap"/>, <see cref="ProgramArrayMap"/>...).</summary>
    public T Map<T>(string name) where T : InterpreterMap
    {
        if (!_maps.TryGetValue(name, out var map))
            throw new KeyNotFoundException($"the object has no map '{name}'" + (_maps.Count == 0 ? "" : $"; it has {string.Join(", ", _maps.Keys)}"));
        return map as T ?? throw new InvalidOperationException($"map '{name}' is a {map.Type} map ({map.GetType().Name}), not a {typeof(T).Name}");
    }

    internal void AddMap(InterpreterMap map)
    {
        _maps.Add(map.Name, map);
        _mapOrder.Add(map);
        _mapsByHandle.Add(map.Handle.Address, map);
    }

    /// <summary>Registers an inner map of a map of maps: helpers reach it by its address, tests through its outer map.</summary>
    internal void AddInnerMap(InterpreterMap map) => _mapsByHandle.Add(map.Handle.Address, map);

    internal void AddProgram(ProgramImage image) => _programs.Add(image.Name, image);

    internal InterpreterMap? MapAt(ulong handle) => _mapsByHandle.GetValueOrDefault(handle);

    internal InterpreterMap MapByIndex(int index) => (uint)index < (uint)_mapOrder.Count ? _mapOrder[index]
        : throw new FaultSignal(FaultKind.InvalidInstruction, $"ld_imm64 of map {index}, but there are {_mapOrder.Count} maps");

    internal ProgramImage ProgramImageOf(string name) => _programs.TryGetValue(name, out var image) ? image
        : throw new FaultSignal(FaultKind.InvalidHelperArgument, $"the program array names '{name}', which is not an entry program of the object");

    ProgramImage Program(string name) => _programs.TryGetValue(name, out var image) ? image
        : throw new KeyNotFoundException($"the object has no program '{name}'" + (_programs.Count == 0 ? "" : $"; it has {string.Join(", ", _programs.Keys)}"));

    // ----- running -----

    /// <summary>Runs <paramref name="program"/> with <paramref name="context"/> as its context (R1 points at a writable
    /// copy, which is copied back afterwards) and returns R0.</summary>
    public ulong Run(string program, byte[] context)
    {
        var image = Program(program);
        var region = Memory.Map($"context of '{program}'", RegionKind.Context, context);
        try { return new Executor(this).Run(image, region.Address, 0); }
        finally { Memory.Unmap(region); }
    }

    /// <summary>Runs <paramref name="program"/> with a typed context (a tracepoint record struct, <see cref="PtRegs"/>...);
    /// changes the program makes to the context are written back.</summary>
    public ulong Run<TContext>(string program, ref TContext context) where TContext : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref context, 1)).ToArray();
        ulong r0 = Run(program, bytes);
        context = MemoryMarshal.Read<TContext>(bytes);
        return r0;
    }

    /// <summary>Runs a kprobe/uprobe <paramref name="program"/> as if the probed function were called with
    /// <paramref name="arguments"/> (placed in the x86-64 <c>struct pt_regs</c> argument registers).</summary>
    public ulong RunKprobe(string program, params ulong[] arguments)
    {
        var regs = PtRegs.WithArguments(arguments);
        return Run(program, ref regs);
    }

    /// <summary>Runs a kretprobe <paramref name="program"/> with <paramref name="returnValue"/> in <c>ax</c>.</summary>
    public ulong RunKretprobe(string program, ulong returnValue)
    {
        var regs = new PtRegs().WithReturnValue(returnValue);
        return Run(program, ref regs);
    }

    /// <summary>Runs a BTF-typed tracing program (fentry, fexit, fmod_ret, LSM, tp_btf, raw tracepoint) whose context is
    /// the array of the traced function's arguments as u64 (<paramref name="returnValue"/> follows them for fexit).</summary>
    public ulong RunTracing(string program, ulong[] arguments, ulong returnValue = 0)
    {
        var bytes = new byte[(arguments.Length + 1) * 8];
        MemoryMarshal.AsBytes(arguments.AsSpan()).CopyTo(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(arguments.Length * 8), returnValue);
        Tracing = (arguments.Length, returnValue);
        return Run(program, bytes);
    }

    /// <summary>Runs an LSM <paramref name="program"/> for a hook called with <paramref name="arguments"/>; returns the
    /// verdict (0 allows, a negative errno denies).</summary>
    public int RunLsm(string program, params ulong[] arguments) => (int)RunTracing(program, arguments);

    /// <summary>Runs a tracepoint <paramref name="program"/> on <paramref name="record"/> (the event's record as in its
    /// <c>format</c> file, common fields first).</summary>
    public ulong RunTracepoint<TRecord>(string program, TRecord record) where TRecord : unmanaged => Run(program, ref record);

    /// <summary>Runs an XDP <paramref name="program"/> on <paramref name="packet"/>: <c>xdp_md.data</c>/<c>data_end</c>
    /// point at the packet region, which a read past <c>data_end</c> faults on.</summary>
    public PacketResult RunXdp(string program, byte[] packet, uint ingressIfindex = 1, uint rxQueueIndex = 0)
    {
        var context = new byte[24];
        BitConverter.TryWriteBytes(context.AsSpan(12), ingressIfindex);
        BitConverter.TryWriteBytes(context.AsSpan(16), rxQueueIndex);
        return RunOnPacket(program, packet, context, dataField: 0, dataEndField: 4, metaField: 8);
    }

    /// <summary>Runs a socket filter, tc or cgroup_skb <paramref name="program"/> on <paramref name="packet"/> (an
    /// Ethernet frame) through a <c>struct __sk_buff</c> whose data/data_end point at it.</summary>
    public PacketResult RunSkb(string program, byte[] packet, uint ifindex = 1)
    {
        var context = new byte[192];
        BitConverter.TryWriteBytes(context.AsSpan(0), (uint)packet.Length);                          // len
        if (packet.Length >= 14) context[16] = packet[12];                                           // protocol, network order
        if (packet.Length >= 14) context[17] = packet[13];
        BitConverter.TryWriteBytes(context.AsSpan(36), ifindex);                                     // ingress_ifindex
        BitConverter.TryWriteBytes(context.AsSpan(40), ifindex);                                     // ifindex
        BitConverter.TryWriteBytes(context.AsSpan(160), (uint)packet.Length);                        // wire_len
        return RunOnPacket(program, packet, context, dataField: 76, dataEndField: 80, metaField: 140);
    }

    PacketResult RunOnPacket(string program, byte[] packet, byte[] context, int dataField, int dataEndField, int metaField)
    {
        var image = Program(program);
        var bytes = packet.ToArray();
        var data = Memory.Map($"packet of '{program}'", RegionKind.Packet, bytes);
        var fields = new Dictionary<int, Func<ulong>> { [dataField] = () => data.Address, [dataEndField] = () => data.End, [metaField] = () => data.Address };
        var ctx = Memory.Map($"context of '{program}'", RegionKind.Context, context, 0, context.Length, writable: true, fields);
        Redirect = null;
        PacketIsXdp = dataField == 0;
        try
        {
            ulong verdict = new Executor(this).Run(image, ctx.Address, 0);
            return new PacketResult(verdict, bytes, Redirect);
        }
        finally
        {
            Memory.Unmap(ctx);
            Memory.Unmap(data);
            Redirect = null;
        }
    }

    /// <summary>Runs a bare program (no object) with R1 pointing at <paramref name="memory"/> and R2 holding its length, as
    /// the bpf_conformance suite defines; R1 is 0 when <paramref name="memory"/> is empty.</summary>
    public ulong RunRaw(ProgramImage image, byte[] memory)
    {
        if (memory.Length == 0) return new Executor(this).Run(image, 0, 0);
        var region = Memory.Map("memory buffer", RegionKind.Buffer, memory);
        try { return new Executor(this).Run(image, region.Address, (ulong)memory.Length); }
        finally { Memory.Unmap(region); }
    }

    /// <summary>A machine for bare instructions (no object): <paramref name="maps"/> are reachable with
    /// <c>ld_imm64</c> pseudo map loads whose imm is the map's index in the list.</summary>
    public static BpfVm ForInstructions(params MapSpec[] maps)
    {
        var vm = new BpfVm(null);
        foreach (var map in maps) vm.AddMap(MapFactory.Create(map, vm));
        return vm;
    }

    /// <summary>Runs <paramref name="instructions"/> as a bare program (see <see cref="RunRaw(ProgramImage, byte[])"/>).</summary>
    public ulong RunRaw(IReadOnlyList<Instruction> instructions, byte[] memory) => RunRaw(ProgramImage.FromInstructions(instructions), memory);
}

/// <summary>The outcome of a packet program: its return value (an XDP action, a tc verdict, a socket filter's
/// length) and the packet as it left it.</summary>
public sealed record PacketResult(ulong ReturnValue, byte[] Packet, PacketRedirect? Redirect = null)
{
    /// <summary>The return value as an XDP action.</summary>
    public XdpAction Action => (XdpAction)(int)ReturnValue;
}

/// <summary>Where a program redirected its packet: <c>bpf_redirect(ifindex, flags)</c> (no map; <see cref="Target"/> is
/// the ifindex) or <c>bpf_redirect_map(map, key, flags)</c> (<see cref="Map"/> and the key).</summary>
public sealed record PacketRedirect(string? Map, uint Target, ulong Flags);
