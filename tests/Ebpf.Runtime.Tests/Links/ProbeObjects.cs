using Ebpf.Btf;

namespace Ebpf.Runtime.Tests.Links;

/// <summary>Hand-assembled probe objects that count events of this test process only: <c>.rodata</c> holds
/// <c>TargetTgid</c> (set with SetVariable before load), <c>.bss</c> holds <c>Hits</c> and <c>LastValue</c>.</summary>
internal static class ProbeObjects
{
    static readonly BtfInt U32 = new("unsigned int", 4, false);
    static readonly BtfInt U64 = new("unsigned long long", 8, false);

    public static ObjectSpec WithGlobals(params ProgramSpec[] programs)
    {
        var spec = new ObjectSpec();
        spec.DataSections.Add(new DataSectionSpec
        {
            Name = ".rodata", Size = 4, Contents = new byte[4],
            BtfDatasec = new BtfDatasec(".rodata", 4, [new BtfVarSecInfo(new BtfVar("TargetTgid", U32, BtfVarLinkage.GlobalAllocated), 0, 4)]),
        });
        spec.DataSections.Add(new DataSectionSpec
        {
            Name = ".bss", Size = 16,
            BtfDatasec = new BtfDatasec(".bss", 16, [new BtfVarSecInfo(new BtfVar("Hits", U64, BtfVarLinkage.GlobalAllocated), 0, 8),
                                                    new BtfVarSecInfo(new BtfVar("LastValue", U64, BtfVarLinkage.GlobalAllocated), 8, 8)]),
        });
        spec.Programs.AddRange(programs);
        spec.SetVariable("TargetTgid", (uint)Environment.ProcessId);
        return spec;
    }

    /// <summary>r6 = current tgid; goto <paramref name="skip"/> unless it is TargetTgid. Clobbers r0-r5.</summary>
    public static ProgramBuilder IfNotTargetTgid(this ProgramBuilder p, string skip)
        => p.Helper(HelperId.GetCurrentPidTgid)
            .Emit(Insn.Alu64(AluOp.Rsh, R0, 32))
            .Emit(Insn.Mov64(R6, R0))
            .LoadGlobal(R1, ".rodata", 0)
            .Emit(Insn.Load(MemSize.W, R1, R1, 0))
            .Jump(Insn.Jump(JumpOp.Jne, R6, R1), skip);

    /// <summary>Hits += 1 (atomic) in .bss. Clobbers r1, r2.</summary>
    public static ProgramBuilder CountHit(this ProgramBuilder p)
        => p.LoadGlobal(R1, ".bss", 0).Emit(Insn.Mov64(R2, 1)).Emit(Insn.Atomic(MemSize.DW, AtomicOp.Add, R1, 0, R2));

    public static ProgramBuilder ReturnZero(this ProgramBuilder p, string label = "out")
        => p.Label(label).Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit());

    /// <summary>The OpenCounter shape on sys_enter_getppid: Counts[tgid] += 1 (insert with NoExist, then atomic add),
    /// and PerCpuHits[0] += 1 on the CPU it ran on.</summary>
    public static ObjectSpec GetppidCounter()
    {
        var p = new ProgramBuilder("OnGetppid", ProgramType.Tracepoint, "tracepoint/syscalls/sys_enter_getppid", attachTarget: "syscalls/sys_enter_getppid");
        p.IfNotTargetTgid("out")
         .Emit(Insn.Store(MemSize.W, R10, -4, R6))
         .Emit(Insn.Mov64(R2, R10))
         .Emit(Insn.Alu64(AluOp.Add, R2, -4))
         .LoadMap(R1, "Counts")
         .Helper(HelperId.MapLookupElem)
         .Jump(Insn.Jump(JumpOp.Jeq, R0, 0), "insert")
         .Emit(Insn.Mov64(R1, 1))
         .Emit(Insn.Atomic(MemSize.DW, AtomicOp.Add, R0, 0, R1))
         .Jump(Insn.Ja(), "per_cpu")
         .Label("insert")
         .Emit(Insn.StoreImm(MemSize.DW, R10, -16, 1))
         .Emit(Insn.Mov64(R3, R10))
         .Emit(Insn.Alu64(AluOp.Add, R3, -16))
         .Emit(Insn.Mov64(R2, R10))
         .Emit(Insn.Alu64(AluOp.Add, R2, -4))
         .LoadMap(R1, "Counts")
         .Emit(Insn.Mov64(R4, 1))                                       // BPF_NOEXIST
         .Helper(HelperId.MapUpdateElem)
         .Label("per_cpu")
         .Emit(Insn.StoreImm(MemSize.W, R10, -4, 0))
         .Emit(Insn.Mov64(R2, R10))
         .Emit(Insn.Alu64(AluOp.Add, R2, -4))
         .LoadMap(R1, "PerCpuHits")
         .Helper(HelperId.MapLookupElem)
         .Jump(Insn.Jump(JumpOp.Jeq, R0, 0), "out")
         .Emit(Insn.Load(MemSize.DW, R1, R0, 0))                       // per-CPU slot: no other CPU writes it
         .Emit(Insn.Alu64(AluOp.Add, R1, 1))
         .Emit(Insn.Store(MemSize.DW, R0, 0, R1))
         .ReturnZero();
        var spec = WithGlobals(p.Build());
        spec.Maps.Add(new MapSpec { Name = "Counts", Type = MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 64 });
        spec.Maps.Add(new MapSpec { Name = "PerCpuHits", Type = MapType.PerCpuArray, KeySize = 4, ValueSize = 8, MaxEntries = 1 });
        return spec;
    }

    /// <summary>raw_tp/sys_enter: counts this process's getppid calls (args[1] is the syscall number).</summary>
    public static ObjectSpec RawSysEnterCounter()
    {
        var p = new ProgramBuilder("OnSysEnter", ProgramType.RawTracepoint, "raw_tp/sys_enter", attachTarget: "sys_enter");
        p.Emit(Insn.Load(MemSize.DW, R7, R1, 8))
         .Jump(Insn.Jump(JumpOp.Jne, R7, (int)Native.SysGetppid), "out")
         .IfNotTargetTgid("out")
         .CountHit()
         .ReturnZero();
        return WithGlobals(p.Build());
    }

    /// <summary>A kprobe-type program for u(ret)probes: counts hits of this process and stores pt_regs->ax (offset 80,
    /// the return value at a uretprobe) in LastValue.</summary>
    public static ObjectSpec RegsProbe(string name, string section)
    {
        var p = new ProgramBuilder(name, ProgramType.Kprobe, section);
        p.Emit(Insn.Mov64(R7, R1))
         .IfNotTargetTgid("out")
         .CountHit()
         .Emit(Insn.Load(MemSize.DW, R2, R7, 80))
         .LoadGlobal(R1, ".bss", 8)
         .Emit(Insn.Store(MemSize.DW, R1, 0, R2))
         .ReturnZero();
        return WithGlobals(p.Build());
    }

    /// <summary>Counts frames of EtherType 0x88b5 (IEEE local experimental) in Hits; XDP returns XDP_DROP for them, PASS otherwise.</summary>
    public static ObjectSpec XdpEtherTypeCounter()
    {
        var p = new ProgramBuilder("CountExperimental", ProgramType.Xdp, "xdp", AttachType.Xdp);
        p.Emit(Insn.Mov64(R7, 2))
         .Emit(Insn.Load(MemSize.W, R2, R1, 0))
         .Emit(Insn.Load(MemSize.W, R3, R1, 4))
         .Emit(Insn.Mov64(R4, R2))
         .Emit(Insn.Alu64(AluOp.Add, R4, 14))
         .Jump(Insn.Jump(JumpOp.Jgt, R4, R3), "out")
         .Emit(Insn.Load(MemSize.H, R5, R2, 12))
         .Jump(Insn.Jump(JumpOp.Jne, R5, 0xb588), "out")               // 0x88b5 big-endian, read little-endian
         .CountHit()
         .Emit(Insn.Mov64(R7, 1))
         .Label("out")
         .Emit(Insn.Mov64(R0, R7))
         .Emit(Insn.Exit());
        return WithGlobals(p.Build());
    }

    /// <summary>tc (sched_cls): counts skbs whose protocol is 0x88b5 (skb->protocol at 16, network order); TC_ACT_OK.</summary>
    public static ObjectSpec TcEtherTypeCounter()
    {
        var p = new ProgramBuilder("TcCountExperimental", ProgramType.SchedCls, "tcx/ingress", AttachType.TcxIngress);
        p.Emit(Insn.Load(MemSize.W, R2, R1, 16))
         .Jump(Insn.Jump(JumpOp.Jne, R2, 0xb588), "out")
         .CountHit()
         .ReturnZero();
        return WithGlobals(p.Build());
    }
}
