using Ebpf.Asm;
using Ebpf.Object;
using Ebpf.Testing.Maps;
using Ebpf.Testing.Tests.Programs;
using static Ebpf.Asm.Register;

namespace Ebpf.Testing.Tests.Interpreter;

/// <summary>The interpreter's own checks and control flow: memory faults like the verifier's, the instruction budget,
/// BPF-to-BPF call frames, tail calls, helper errors.</summary>
[Trait("Category", "Interpreter")]
public class InterpreterTests
{
    public InterpreterTests() => NonRoot.AssertWhenExpected();

    static BpfVm Object(ProgramType type, string section, params (string Name, Instruction[] Code, Relocation[] Relocations)[] programs)
        => Object(type, section, [], programs);

    static BpfVm Object(ProgramType type, string section, MapSpec[] maps, params (string Name, Instruction[] Code, Relocation[] Relocations)[] programs)
    {
        var spec = new ObjectSpec();
        spec.Maps.AddRange(maps);
        foreach (var (name, code, relocations) in programs)
            spec.Programs.Add(new ProgramSpec { Name = name, SectionName = section, Type = type, Instructions = code, Relocations = relocations });
        return BpfTestHost.Load(spec);
    }

    [Fact]
    public void A_store_below_the_512_byte_stack_faults_naming_instruction_and_region()
    {
        var code = new[] { Insn.Mov64(R0, 0), Insn.StoreImm(MemSize.DW, R10, -520, 1), Insn.Exit() };
        var fault = Assert.Throws<InterpreterFault>(() => BpfVm.ForInstructions().RunRaw(code, []));
        Assert.Equal(FaultKind.OutOfBounds, fault.Kind);
        Assert.Equal(1, fault.InstructionIndex);
        Assert.Contains("stack of frame 0", fault.Region);
        Assert.Contains("beyond the 512-byte stack", fault.Message);
    }

    [Fact]
    public void A_read_above_r10_faults()
    {
        var code = new[] { Insn.Load(MemSize.W, R0, R10, 0), Insn.Exit() };
        var fault = Assert.Throws<InterpreterFault>(() => BpfVm.ForInstructions().RunRaw(code, []));
        Assert.Equal(FaultKind.OutOfBounds, fault.Kind);
        Assert.Contains("stack of frame 0", fault.Message);
    }

    [Fact]
    public void Dereferencing_a_missing_map_value_is_a_null_dereference()
    {
        var map = new MapSpec { Name = "Values", Type = Ebpf.Object.MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 4 };
        var code = new[]
        {
            Insn.StoreImm(MemSize.W, R10, -4, 7),
            Insn.LoadPseudo(R1, PseudoSource.MapFd, 0),
            Insn.Mov64(R2, R10), Insn.Alu64(AluOp.Add, R2, -4),
            Insn.CallHelper(1),
            Insn.Load(MemSize.DW, R0, R0, 0),
            Insn.Exit(),
        };
        var vm = BpfVm.ForInstructions(map);
        var fault = Assert.Throws<InterpreterFault>(() => vm.RunRaw(code, []));
        Assert.Equal(FaultKind.NullDereference, fault.Kind);
        Assert.Equal(6, fault.InstructionIndex); // slots: the ld_imm64 takes two
        Assert.Equal(0UL, fault.Address);

        vm.Maps["Values"].Update(BitConverter.GetBytes(7), BitConverter.GetBytes(99L));
        Assert.Equal(99UL, vm.RunRaw(code, []));
    }

    [Fact]
    public void Reading_a_map_value_past_its_size_faults()
    {
        var map = new MapSpec { Name = "Values", Type = Ebpf.Object.MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 1 };
        var code = new[]
        {
            Insn.StoreImm(MemSize.W, R10, -4, 0),
            Insn.LoadPseudo(R1, PseudoSource.MapFd, 0),
            Insn.Mov64(R2, R10), Insn.Alu64(AluOp.Add, R2, -4),
            Insn.CallHelper(1),
            Insn.Jump(JumpOp.Jeq, R0, 0, 1),
            Insn.Load(MemSize.DW, R0, R0, 4),
            Insn.Exit(),
        };
        var fault = Assert.Throws<InterpreterFault>(() => BpfVm.ForInstructions(map).RunRaw(code, []));
        Assert.Equal(FaultKind.OutOfBounds, fault.Kind);
        Assert.Contains("value 0 of map 'Values'", fault.Region);
    }

    [Fact]
    public void An_xdp_read_past_data_end_faults_and_a_checked_one_does_not()
    {
        // r2 = data; r3 = data_end; if (r2 + 8 > r3 && checked) return PASS; r0 = *(u64*)(r2 + 0)
        Instruction[] Program(bool check) =>
        [
            Insn.Load(MemSize.W, R2, R1, 0),
            Insn.Load(MemSize.W, R3, R1, 4),
            Insn.Mov64(R4, R2), Insn.Alu64(AluOp.Add, R4, 8),
            check ? Insn.Jump(JumpOp.Jgt, R4, R3, 2) : Insn.Ja(0),
            Insn.Load(MemSize.DW, R0, R2, 0),
            Insn.Exit(),
            Insn.Mov64(R0, 2),
            Insn.Exit(),
        ];
        var vm = Object(ProgramType.Xdp, "xdp", ("Unchecked", Program(false), []), ("Checked", Program(true), []));
        var fault = Assert.Throws<InterpreterFault>(() => vm.RunXdp("Unchecked", new byte[6]));
        Assert.Equal(FaultKind.OutOfBounds, fault.Kind);
        Assert.Equal(5, fault.InstructionIndex);
        Assert.Contains("data_end", fault.Message);
        Assert.Equal(2UL, vm.RunXdp("Checked", new byte[6]).ReturnValue);
        Assert.Equal(0x0807060504030201UL, vm.RunXdp("Unchecked", [1, 2, 3, 4, 5, 6, 7, 8]).ReturnValue);
    }

    [Fact]
    public void A_runaway_loop_exhausts_the_budget()
    {
        var vm = BpfVm.ForInstructions();
        vm.InstructionBudget = 10_000;
        var fault = Assert.Throws<InterpreterFault>(() => vm.RunRaw([Insn.Mov64(R0, 0), Insn.Alu64(AluOp.Add, R0, 1), Insn.Ja(-2), Insn.Exit()], []));
        Assert.Equal(FaultKind.BudgetExhausted, fault.Kind);
        Assert.Contains("10,000", fault.Message);
    }

    [Fact]
    public void A_store_into_rodata_faults()
    {
        var spec = new ObjectSpec();
        spec.DataSections.Add(new DataSectionSpec { Name = ".rodata", Size = 8, Contents = new byte[8] });
        spec.Programs.Add(new ProgramSpec
        {
            Name = "Writer", SectionName = "socket", Type = ProgramType.SocketFilter,
            Instructions = [Insn.LoadImm64(R1, 0), Insn.StoreImm(MemSize.W, R1, 0, 1), Insn.Mov64(R0, 0), Insn.Exit()],
            Relocations = [new Relocation(0, RelocationKind.GlobalData, ".rodata")],
        });
        var fault = Assert.Throws<InterpreterFault>(() => BpfTestHost.Load(spec).Run("Writer", new byte[8]));
        Assert.Equal(FaultKind.ReadOnlyWrite, fault.Kind);
        Assert.Contains(".rodata", fault.Region);
    }

    [Fact]
    public void Calls_get_their_own_stack_frame_and_r6_to_r9_survive()
    {
        Instruction[] code =
        [
            Insn.Mov64(R6, 6), Insn.Mov64(R9, 9),
            Insn.StoreImm(MemSize.DW, R10, -8, 111),      // the caller's slot
            Insn.Mov64(R1, R10), Insn.Alu64(AluOp.Add, R1, -8),
            Insn.CallLocal(5),                            // -> the callee at slot 11
            Insn.Load(MemSize.DW, R2, R10, -8),           // 111 + 1 (the callee incremented through the pointer)
            Insn.Alu64(AluOp.Add, R0, R2),
            Insn.Alu64(AluOp.Add, R0, R6), Insn.Alu64(AluOp.Add, R0, R9),
            Insn.Exit(),
            // callee: its own fp-8, then *(r1) += 1 in the caller's frame, clobbers r6/r9, returns its slot
            Insn.StoreImm(MemSize.DW, R10, -8, 1000),
            Insn.Load(MemSize.DW, R3, R1, 0), Insn.Alu64(AluOp.Add, R3, 1), Insn.Store(MemSize.DW, R1, 0, R3),
            Insn.Mov64(R6, 0), Insn.Mov64(R9, 0),
            Insn.Load(MemSize.DW, R0, R10, -8),
            Insn.Exit(),
        ];
        Assert.Equal(1000UL + 112 + 6 + 9, BpfVm.ForInstructions().RunRaw(code, []));
    }

    [Fact]
    public void More_than_eight_frames_fault()
    {
        // Infinite recursion: each frame calls itself.
        var fault = Assert.Throws<InterpreterFault>(() => BpfVm.ForInstructions().RunRaw([Insn.CallLocal(-1), Insn.Exit()], []));
        Assert.Equal(FaultKind.CallDepth, fault.Kind);
    }

    [Fact]
    public void Tail_calls_jump_to_the_program_in_the_slot_and_fall_through_when_empty()
    {
        var jumps = new MapSpec { Name = "Jumps", Type = Ebpf.Object.MapType.ProgArray, KeySize = 4, ValueSize = 4, MaxEntries = 4 };
        Instruction[] entry =
        [
            Insn.Mov64(R6, R1),
            Insn.LoadImm64(R2, 0),
            Insn.Mov64(R3, 1),
            Insn.CallHelper(12),
            Insn.Mov64(R0, 7),                            // only when the tail call failed
            Insn.Exit(),
        ];
        Instruction[] target = [Insn.Mov64(R0, 42), Insn.Exit()];
        var vm = Object(ProgramType.SocketFilter, "socket", [jumps], ("Entry", entry, [new Relocation(1, RelocationKind.Map, "Jumps")]), ("Target", target, []));
        Assert.Equal(7UL, vm.Run("Entry", new byte[8]));
        vm.Map<ProgramArrayMap>("Jumps").Set(1, "Target");
        Assert.Equal(42UL, vm.Run("Entry", new byte[8]));
    }

    [Fact]
    public void Submitting_a_ring_buffer_record_twice_faults()
    {
        var ring = new MapSpec { Name = "Events", Type = Ebpf.Object.MapType.RingBuf, MaxEntries = 4096 };
        Instruction[] code =
        [
            Insn.LoadPseudo(R1, PseudoSource.MapFd, 0), Insn.Mov64(R2, 8), Insn.Mov64(R3, 0), Insn.CallHelper(131),
            Insn.Jump(JumpOp.Jeq, R0, 0, 6),
            Insn.Mov64(R6, R0),
            Insn.StoreImm(MemSize.DW, R6, 0, 5),
            Insn.Mov64(R1, R6), Insn.Mov64(R2, 0), Insn.CallHelper(132),
            Insn.Mov64(R1, R6), Insn.Mov64(R2, 0), Insn.CallHelper(132),
            Insn.Exit(),
        ];
        var vm = BpfVm.ForInstructions(ring);
        var fault = Assert.Throws<InterpreterFault>(() => vm.RunRaw(code, []));
        Assert.Equal(FaultKind.InvalidHelperArgument, fault.Kind);
        Assert.Single(vm.Map<RingBufferMap>("Events").Records);
    }

    [Fact]
    public void An_unknown_helper_names_its_id_and_name_and_an_override_provides_it()
    {
        var vm = BpfVm.ForInstructions();
        Instruction[] code = [Insn.CallHelper(42), Insn.Exit()];
        var fault = Assert.Throws<InterpreterFault>(() => vm.RunRaw(code, []));
        Assert.Equal(FaultKind.UnknownHelper, fault.Kind);
        Assert.Contains("helper 42 (Bpf.GetNumaNodeId)", fault.Message);
        vm.Helpers.Override(42, _ => 0xffff_8888);
        Assert.Equal(0xffff_8888UL, vm.RunRaw(code, []));
    }

    const string FaultingSource = """
        using Ebpf;

        [BpfObject]
        public static unsafe partial class Tasks
        {
            [Kprobe("schedule")]
            static int OnSchedule(PtRegs ctx)
            {
                long node = Bpf.GetNumaNodeId();
                return node == 0 ? 1 : 0;
            }
        }
        """;

    [Fact]
    public void A_fault_in_compiled_csharp_names_the_source_line()
    {
        var vm = BpfTestHost.Load(ProbeCompiler.Compile(FaultingSource, "Tasks.cs"));
        var fault = Assert.Throws<InterpreterFault>(() => vm.RunKprobe("OnSchedule"));
        Assert.Equal(FaultKind.UnknownHelper, fault.Kind);
        Assert.NotNull(fault.SourceLine);
        Assert.Equal(9, fault.SourceLine!.Line);
        Assert.StartsWith("Tasks.cs(9,", fault.Message);
        Assert.Contains("GetNumaNodeId", fault.Message);
    }

    [Fact]
    public void Printk_output_is_captured()
    {
        var spec = ProbeCompiler.Compile("""
            using Ebpf;
            [BpfObject]
            public static partial class Say
            {
                [Kprobe("schedule")]
                static int Hello(PtRegs ctx, int n)
                {
                    Bpf.Printk("hello %d from %u", n, Bpf.GetSmpProcessorId());
                    return 0;
                }
            }
            """, "Say.cs");
        var vm = BpfTestHost.Load(spec);
        vm.Helpers.GetSmpProcessorId = () => 3;
        vm.RunKprobe("Hello", unchecked((ulong)-5));
        Assert.Equal(["hello -5 from 3"], vm.Helpers.TraceOutput);
    }
}
