using Ebpf.Verifier;
using Xunit.Abstractions;

namespace Ebpf.Runtime.Tests.Loading;

/// <summary>The verifier message catalog on real kernel logs: each object breaks one verifier rule, the running
/// kernel rejects it, and <see cref="VerifierException"/> carries the catalog's class for the kernel's reason
/// (the same table <c>ebpf build --verify</c> uses). The asserted log fragment records the kernel's wording.
/// Every class of the catalog has a case here (a test checks that), so a class is never a guess at wording.</summary>
public class VerifierCatalogKernelTests(ITestOutputHelper output)
{
    const int PrandomU32 = 7, RingbufReserve = 131, CopyFromUser = 148, OverrideReturn = 58, ProbeReadUser = 112;

    static ProgramBuilder Socket(string name) => new ProgramBuilder(name, ProgramType.SocketFilter, "socket").Line("Catalog.cs", 1, 1, "probe");

    static ObjectSpec Object(params ProgramSpec[] programs) => new ObjectSpec().WithPrograms(programs);

    static ObjectSpec WithMap(MapSpec map, params ProgramSpec[] programs)
    {
        var spec = Object(programs);
        spec.Maps.Add(map);
        return spec;
    }

    static MapSpec Hash => new() { Name = "Counts", Type = MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 16 };
    static MapSpec Array64 => new() { Name = "Values", Type = MapType.Array, KeySize = 4, ValueSize = 64, MaxEntries = 1 };
    static MapSpec Ring => new() { Name = "Events", Type = MapType.RingBuf, MaxEntries = 4096 };

    /// <summary>r0 = &amp;Values[0], null-checked (exit 0 when null); what follows uses r0.</summary>
    static ProgramBuilder LookupValue(string name) => Socket(name)
        .Emit(Insn.StoreImm(MemSize.W, R10, -4, 0)).Emit(Insn.Mov64(R2, R10)).Emit(Insn.Alu64(AluOp.Add, R2, -4))
        .LoadMap(R1, "Values").Helper(HelperId.MapLookupElem)
        .Jump(Insn.Jump(JumpOp.Jne, R0, 0), "found").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Label("found");

    /// <summary>r0 = Events.Reserve(8); what follows may or may not null-check it.</summary>
    static ProgramBuilder Reserve(string name) => Socket(name)
        .LoadMap(R1, "Events").Emit(Insn.Mov64(R2, 8)).Emit(Insn.Mov64(R3, 0)).Helper(RingbufReserve);

    /// <summary>A sub-program that uses <paramref name="stack"/> bytes of stack and calls <paramref name="next"/> (if any).</summary>
    static ProgramSpec Subprogram(string name, string? next, short stack = 8)
    {
        var b = ProgramBuilder.Subprogram(name).Line("Catalog.cs", 2, 1, name).Emit(Insn.StoreImm(MemSize.DW, R10, (short)-stack, 0));
        if (next is not null) b.Call(next);
        return b.Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build();
    }

    static readonly Dictionary<string, Func<ObjectSpec>> Objects = new()
    {
        ["NullMapValue"] = () => WithMap(Hash, Socket("NullValue")
            .Emit(Insn.StoreImm(MemSize.W, R10, -4, 0)).Emit(Insn.Mov64(R2, R10)).Emit(Insn.Alu64(AluOp.Add, R2, -4))
            .LoadMap(R1, "Counts").Helper(HelperId.MapLookupElem)
            .Emit(Insn.Load(MemSize.DW, R0, R0, 0)).Emit(Insn.Exit()).Build()),
        ["NullRingbufRecord"] = () => WithMap(Ring, Reserve("NullRecord")
            .Emit(Insn.StoreImm(MemSize.DW, R0, 0, 1)).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["PacketOutsideCheckedRange"] = () => Object(new ProgramBuilder("Packet", ProgramType.Xdp, "xdp", AttachType.Xdp).Line("Catalog.cs", 1, 1, "probe")
            .Emit(Insn.Load(MemSize.W, R2, R1, 0)).Emit(Insn.Load(MemSize.B, R0, R2, 0)).Emit(Insn.Exit()).Build()),
        ["UnboundedMemoryAccess"] = () => WithMap(Array64, LookupValue("Unbounded")
            .Emit(Insn.Mov64(R6, R0)).Helper(PrandomU32).Emit(Insn.Alu64(AluOp.And, R0, 0x7fffffff)).Emit(Insn.Alu64(AluOp.Add, R6, R0))
            .Emit(Insn.Load(MemSize.B, R0, R6, 0)).Emit(Insn.Exit()).Build()),
        ["UnboundedPointerMath"] = () => WithMap(Array64, LookupValue("UnboundedMath")
            .Emit(Insn.Mov64(R6, R0)).Helper(PrandomU32).Emit(Insn.Alu64(AluOp.Add, R6, R0))
            .Emit(Insn.Load(MemSize.B, R0, R6, 0)).Emit(Insn.Exit()).Build()),
        ["MapValueOutOfRange"] = () => WithMap(Array64, LookupValue("PastValue")
            .Emit(Insn.Load(MemSize.DW, R0, R0, 64)).Emit(Insn.Exit()).Build()),
        ["CombinedStackTooLarge"] = () => Object(
            Socket("Deep").Emit(Insn.StoreImm(MemSize.DW, R10, -320, 0)).Call("Big").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build(),
            Subprogram("Big", null, stack: 320)),
        ["StackOutOfRange"] = () => Object(Socket("Stack").Emit(Insn.StoreImm(MemSize.DW, R10, -520, 0)).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["UninitializedStackRead"] = () => WithMap(Array64, Socket("UninitKey")
            .Emit(Insn.Mov64(R2, R10)).Emit(Insn.Alu64(AluOp.Add, R2, -4))
            .LoadMap(R1, "Values").Helper(HelperId.MapLookupElem).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["UninitializedR0"] = () => Object(Socket("NoR0").Emit(Insn.Exit()).Build()),
        ["InfiniteLoop"] = () => Object(Socket("Loop").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Ja(-1)).Build()),
        ["TooComplex"] = () => Object(ComplexLoop()),
        ["JumpOutOfRange"] = () => Object(Socket("FarJump").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Ja(100)).Emit(Insn.Exit()).Build()),
        ["GplHelperUnderMit"] = () => new ObjectSpec { License = "MIT" }.WithPrograms(new ProgramBuilder("Gpl", ProgramType.Kprobe, "kprobe/do_sys_openat2").Line("Catalog.cs", 1, 1, "probe")
            .Emit(Insn.Mov64(R1, R10)).Emit(Insn.Alu64(AluOp.Add, R1, -8)).Emit(Insn.Mov64(R2, 8)).Emit(Insn.Mov64(R3, 0))
            .Helper(ProbeReadUser).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["HelperNotForProgramType"] = () => Object(Socket("Override").Emit(Insn.Mov64(R2, 0)).Helper(OverrideReturn).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["UnreleasedReservation"] = () => WithMap(Ring, Reserve("Leak")
            .Jump(Insn.Jump(JumpOp.Jeq, R0, 0), "out").Emit(Insn.StoreImm(MemSize.DW, R0, 0, 1))
            .Label("out").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["ScalarDereference"] = () => Object(Socket("ScalarDeref").Emit(Insn.Mov64(R1, 4096)).Emit(Insn.Load(MemSize.DW, R0, R1, 0)).Emit(Insn.Exit()).Build()),
        ["InvalidContextAccess"] = () => Object(Socket("Ctx").Emit(Insn.Load(MemSize.W, R0, R1, 1000)).Emit(Insn.Exit()).Build()),
        ["MisalignedStackAccess"] = () => Object(Socket("Misaligned").Emit(Insn.StoreImm(MemSize.DW, R10, -12, 0)).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["UnknownHelperId"] = () => Object(Socket("BadHelper").Helper(9999).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["ArgumentTypeMismatch"] = () => Object(Socket("ArgType").Emit(Insn.Mov64(R1, 0)).Emit(Insn.Mov64(R2, R10)).Emit(Insn.Alu64(AluOp.Add, R2, -8))
            .Emit(Insn.StoreImm(MemSize.DW, R10, -8, 0)).Helper(HelperId.MapLookupElem).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["ReturnValueOutOfRange"] = () => Object(new ProgramBuilder("Verdict", ProgramType.CgroupSkb, "cgroup_skb/ingress", AttachType.CgroupInetIngress)
            .Line("Catalog.cs", 1, 1, "probe").Emit(Insn.Mov64(R0, 7)).Emit(Insn.Exit()).Build()),
        ["PointerArithmetic"] = () => Object(Socket("PtrMul").Emit(Insn.Alu64(AluOp.Mul, R1, 2)).Emit(Insn.Load(MemSize.W, R0, R1, 0)).Emit(Insn.Exit()).Build()),
        ["WriteToRodata"] = () => ReadOnlyGlobal(),
        ["CallStackTooDeep"] = () => Object(new[] { Socket("Nine").Call("F1").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build() }
            .Concat(Enumerable.Range(1, 8).Select(i => Subprogram($"F{i}", i < 8 ? $"F{i + 1}" : null))).ToArray()),
        ["SleepableHelperInKprobe"] = () => Object(new ProgramBuilder("Sleeps", ProgramType.Kprobe, "kprobe/do_sys_openat2").Line("Catalog.cs", 1, 1, "probe")
            .Emit(Insn.StoreImm(MemSize.DW, R10, -8, 0)).Emit(Insn.Mov64(R1, R10)).Emit(Insn.Alu64(AluOp.Add, R1, -8)).Emit(Insn.Mov64(R2, 8)).Emit(Insn.Mov64(R3, 0))
            .Helper(CopyFromUser).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["InvalidMapFd"] = () => Object(Socket("BadFd").Emit(Insn.LoadPseudo(R1, PseudoSource.MapFd, 9999)).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build()),
        ["InvalidOpcode"] = () => Object(Socket("BadAlu").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Alu64((AluOp)0xf0, R0, 1)).Emit(Insn.Exit()).Build()),
        ["UnreachableInstruction"] = () => Object(Socket("Dead").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Emit(Insn.Mov64(R0, 1)).Emit(Insn.Exit()).Build()),
    };

    /// <summary>A counted loop of a million rounds: the verifier walks every round (the counter is precise) and stops
    /// at its limit of 1 million processed instructions.</summary>
    static ProgramSpec ComplexLoop() => Socket("Spin")
        .Emit(Insn.Mov64(R6, 0))
        .Label("top").Emit(Insn.Alu64(AluOp.Add, R6, 1)).Jump(Insn.Jump(JumpOp.Jlt, R6, 1_000_000), "top")
        .Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build();

    /// <summary>A store through a .rodata address: frozen read-only data, writable by no program.</summary>
    static ObjectSpec ReadOnlyGlobal()
    {
        var spec = Object(Socket("WritesRodata").LoadGlobal(R1, ".rodata", 0).Emit(Insn.StoreImm(MemSize.DW, R1, 0, 1))
            .Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build());
        spec.DataSections.Add(new DataSectionSpec { Name = ".rodata", Size = 8, Contents = new byte[8] });
        return spec;
    }

    /// <summary>Object, expected class, the kernel's wording, and whether the load runs without CAP_PERFMON
    /// (the verifier lets perfmon-capable loaders read uninitialized stack).</summary>
    public static TheoryData<string, string, string, bool> Cases => new()
    {
        { "NullMapValue", "EBPF2201", "invalid mem access 'map_value_or_null'", false },
        { "NullRingbufRecord", "EBPF2202", "invalid mem access 'ringbuf_mem_or_null'", false },
        { "PacketOutsideCheckedRange", "EBPF2203", "invalid access to packet, off=0 size=1", false },
        { "UnboundedMemoryAccess", "EBPF2204", "unbounded memory access", false },
        { "UnboundedPointerMath", "EBPF2204", "math between map_value pointer and register with unbounded min value is not allowed", false },
        { "MapValueOutOfRange", "EBPF2205", "invalid access to map value, value_size=64 off=64 size=8", false },
        { "CombinedStackTooLarge", "EBPF2206", "combined stack size of 2 calls is", false },
        { "StackOutOfRange", "EBPF2207", "invalid write to stack", false },
        { "UninitializedStackRead", "EBPF2208", "invalid read from stack R2 off=-4 size=4", true },
        { "UninitializedR0", "EBPF2209", "R0 !read_ok", false },
        { "InfiniteLoop", "EBPF2210", "infinite loop detected", false },
        { "TooComplex", "EBPF2211", "BPF program is too large. Processed", false },
        { "JumpOutOfRange", "EBPF2212", "jump out of range from insn 1 to 102", false },
        { "GplHelperUnderMit", "EBPF2213", "cannot call GPL-restricted function from non-GPL compatible program", false },
        { "HelperNotForProgramType", "EBPF2214", "bpf_override_return#58", false },
        { "UnreleasedReservation", "EBPF2215", "Unreleased reference id=", false },
        { "ScalarDereference", "EBPF2216", "invalid mem access 'scalar'", false },
        { "InvalidContextAccess", "EBPF2217", "invalid bpf_context access off=1000", false },
        { "MisalignedStackAccess", "EBPF2218", "misaligned stack access", false },
        { "UnknownHelperId", "EBPF2219", "invalid func unknown#9999", false },
        { "ArgumentTypeMismatch", "EBPF2220", "R1 type=scalar expected=map_ptr", false },
        { "ReturnValueOutOfRange", "EBPF2221", "At program exit the register R0 has", false },
        { "PointerArithmetic", "EBPF2222", "pointer arithmetic with *= operator prohibited", false },
        { "WriteToRodata", "EBPF2223", "write into map forbidden", false },
        { "CallStackTooDeep", "EBPF2224", "the call stack of 9 frames is too deep", false },
        { "SleepableHelperInKprobe", "EBPF2225", "helper call might sleep in a non-sleepable prog", false },
        { "InvalidMapFd", "EBPF2226", "fd 9999 is not pointing to valid bpf_map", false },
        { "InvalidOpcode", "EBPF2227", "unknown opcode f7", false },
        { "UnreachableInstruction", "EBPF2228", "unreachable insn 2", false },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Kernel_rejection_is_classified_by_the_catalog(string program, string id, string kernelWording, bool withoutPerfmon)
    {
        Kernel.RequireBpf();
        var spec = Objects[program]();
        var e = withoutPerfmon
            ? ReducedCapabilities.Run([ReducedCapabilities.Perfmon, ReducedCapabilities.SysAdmin], () => LoadExpectingRejection(spec))
            : LoadExpectingRejection(spec);
        output.WriteLine(e.Message);
        Assert.Contains(kernelWording, e.Log);
        Assert.Equal(id, e.DiagnosticId);
        Assert.Matches($@"^Catalog\.cs\([12],1\): error {id}: ", e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Meaning));
    }

    static VerifierException LoadExpectingRejection(ObjectSpec spec) => Assert.Throws<VerifierException>(() => { using var c = Collection.Load(spec); });

    [Fact]
    public void Every_catalog_class_has_a_kernel_case()
    {
        var covered = Cases.Select(row => (string)row[1]).ToHashSet();
        var missing = VerifierMessageCatalog.All.Where(c => c != VerifierMessageCatalog.Unclassified && !covered.Contains(c.Id)).Select(c => c.Id);
        Assert.Empty(missing);
    }
}

file static class ObjectSpecExtensions
{
    public static ObjectSpec WithPrograms(this ObjectSpec spec, params ProgramSpec[] programs)
    {
        spec.Programs.AddRange(programs);
        return spec;
    }
}
