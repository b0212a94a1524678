namespace Ebpf.Tests.Maps;

public class ProgramArrayTests
{
    static readonly ProgramArray Programs = new(maxEntries: 4);   // stays empty: every tail call into it fails

    static int Entry(PtRegs ctx)
    {
        long error = Bpf.TailCall(ctx, Programs, (uint)ctx.Arg<ulong>(0));
        // Reached only when the tail call failed.
        return (int)error;
    }

    static int Second(PtRegs ctx) => 2;

    [Fact]
    public void Tail_calls_are_followed_and_do_not_return()
    {
        var programs = new ProgramArray(maxEntries: 2);
        programs.Set<PtRegs, int>(1, ctx => 7);
        int Caller(PtRegs ctx)
        {
            Bpf.TailCall(ctx, programs, 1);
            return -1;
        }
        Assert.Equal(7, BpfProgram.Run(Caller, new PtRegs()));
    }

    [Fact]
    public void A_failed_tail_call_continues_with_ENOENT()
    {
        Assert.Equal(-Errno.ENOENT, BpfProgram.Run(Entry, PtRegs.WithArguments(2)));      // empty slot
        Assert.Equal(-Errno.ENOENT, BpfProgram.Run(Entry, PtRegs.WithArguments(99)));     // out of range
    }

    [Fact]
    public void A_chain_stops_after_33_tail_calls()
    {
        var programs = new ProgramArray(maxEntries: 1);
        int calls = 0;
        int SelfCall(PtRegs ctx)
        {
            calls++;
            return (int)Bpf.TailCall(ctx, programs, 0);
        }
        programs.Set<PtRegs, int>(0, SelfCall);
        Assert.Equal(-Errno.ENOENT, BpfProgram.Run(SelfCall, new PtRegs()));
        Assert.Equal(1 + BpfProgram.MaxTailCalls, calls);
    }

    [Fact]
    public void Calling_a_tail_calling_program_directly_says_how_to_run_it()
    {
        var programs = new ProgramArray(maxEntries: 1);
        programs.Set<PtRegs, int>(0, _ => 1);
        var jump = Assert.Throws<TailCallJump>(() => Bpf.TailCall(new PtRegs(), programs, 0));
        Assert.Contains("BpfProgram.Run", jump.Message);
    }

    [Fact]
    public void Registration_is_by_slot()
    {
        var programs = new ProgramArray(maxEntries: 2);
        programs.Set<PtRegs, int>(0, Second);
        Assert.Equal(1, programs.Count);
        programs.Remove(0);
        Assert.Equal(0, programs.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => programs.Set<PtRegs, int>(2, Second));
    }
}
