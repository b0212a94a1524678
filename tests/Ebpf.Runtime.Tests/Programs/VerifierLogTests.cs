namespace Ebpf.Runtime.Tests.Programs;

/// <summary>Reading verifier logs. The samples are logs this kernel printed (see the kernel tests that produce them).</summary>
public class VerifierLogTests
{
    [Fact]
    public void Reason_is_what_follows_the_last_instruction_and_statistics_are_ignored()
    {
        const string log = """
            0: R1=ctx() R10=fp0
            ; uint key = Key; @ Probe.cs:10
            0: (18) r1 = 0xffff888118258738       ; R1=map_value(map=bpf.rodata,ks=4,vs=4)
            8: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=Counts,ks=4,vs=8)
            ; count = AddOne(count); @ Probe.cs:13
            9: (bf) r6 = r0                       ; R0=map_value_or_null(id=1,map=Counts,ks=4,vs=8)
            10: (79) r1 = *(u64 *)(r6 +0)
            R6 invalid mem access 'map_value_or_null'
            processed 9 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0

            """;
        var analysis = VerifierLog.Analyze(log);
        Assert.Equal("R6 invalid mem access 'map_value_or_null'", analysis.Reason);
        Assert.Equal(10, analysis.InstructionSlot);
    }

    [Fact]
    public void States_and_call_frames_between_instruction_and_reason_are_skipped()
    {
        const string log = """
            2: (85) call pc+1
            caller:
             R10=fp0
            callee:
             frame1: R1=1 R2=2 R10=fp0
            4: frame1: R1=1 R2=2 R10=fp0
            4: (bf) r0 = r1                       ; frame1: R0=1 R1=1
            5: (0f) r0 += r3
            R3 !read_ok
            processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
            """;
        Assert.Equal(new VerifierLog.Analysis("R3 !read_ok", 5), VerifierLog.Analyze(log));
    }

    [Theory]
    [InlineData("unreachable insn 2", 2)]
    [InlineData("jump out of range from insn 1 to 7", 1)]
    [InlineData("last insn is not an exit or jmp", null)]
    public void Structural_errors_take_the_instruction_from_the_reason(string reason, int? slot)
    {
        var analysis = VerifierLog.Analyze(reason + "\nprocessed 0 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n");
        Assert.Equal(reason, analysis.Reason);
        Assert.Equal(slot, analysis.InstructionSlot);
    }

    [Fact]
    public void Multi_line_reasons_are_joined()
    {
        const string log = """
            7: (61) r0 = *(u32 *)(r0 +8)
            invalid access to map value, value_size=8 off=8 size=4
            R0 min value is outside of the allowed memory range
            verification time 20 usec
            stack depth 8
            processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
            """;
        var analysis = VerifierLog.Analyze(log);
        Assert.Equal("invalid access to map value, value_size=8 off=8 size=4; R0 min value is outside of the allowed memory range", analysis.Reason);
        Assert.Equal(7, analysis.InstructionSlot);
    }

    [Fact]
    public void An_empty_log_says_so()
        => Assert.Equal(new VerifierLog.Analysis("(the verifier log is empty)", null), VerifierLog.Analyze(""));
}
