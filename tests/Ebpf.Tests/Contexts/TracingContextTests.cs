using System.Runtime.CompilerServices;

namespace Ebpf.Tests.Contexts;

public unsafe class TracingContextTests
{
    [Fact]
    public void Pt_regs_arguments_come_from_the_calling_convention_registers()
    {
        var regs = new PtRegs { Di = 1, Si = 2, Dx = 3, Cx = 4, R8 = 5, R9 = 6, Ax = 7 };
        Assert.Equal([1UL, 2, 3, 4, 5, 6], Enumerable.Range(0, 6).Select(regs.Arg<ulong>));
        Assert.Equal(7UL, regs.ReturnValue<ulong>());
        Assert.Throws<ArgumentOutOfRangeException>(() => regs.Arg<ulong>(6));
        Assert.Equal(168, Unsafe.SizeOf<PtRegs>());
    }

    [Fact]
    public void Arguments_truncate_to_the_requested_type()
    {
        var regs = PtRegs.WithArguments(unchecked((ulong)-100L), 0x1_0000_0005).WithReturnValue(unchecked((ulong)-2L));
        Assert.Equal(-100, regs.Arg<int>(0));
        Assert.Equal(5u, regs.Arg<uint>(1));
        Assert.Equal(-2, regs.ReturnValue<int>());
        Assert.Equal(-100L, regs.Arg<long>(0));
    }

    [Fact]
    public void Raw_tracepoint_and_tracing_contexts_are_u64_arrays()
    {
        var raw = RawTracepointContext.WithArguments(10, 20, 30);
        Assert.Equal(30u, raw.Arg<uint>(2));
        var fexit = TracingContext.WithArguments(1, 2).WithReturnValue(unchecked((ulong)-Errno.ENOENT)).WithFunction(0xffffffff81234560, cookie: 9);
        Assert.Equal(2L, fexit.Arg<long>(1));
        Assert.Equal(-Errno.ENOENT, fexit.ReturnValue<int>());
        Assert.Equal(2, Bpf.GetFuncArgCnt(fexit));
        Assert.Equal(0, Bpf.GetFuncArg(fexit, 1, out ulong second));
        Assert.Equal(2UL, second);
        Assert.Equal(-Errno.EINVAL, Bpf.GetFuncArg(fexit, 2, out _));
        Assert.Equal(0, Bpf.GetFuncRet(fexit, out ulong ret));
        Assert.Equal(unchecked((ulong)-Errno.ENOENT), ret);
        Assert.Equal(0xffffffff81234560UL, Bpf.GetFuncIp(fexit));
        Assert.Equal(9UL, Bpf.GetAttachCookie(fexit));
    }

    [Fact]
    public void Perf_event_context_and_counters()
    {
        var ctx = new PerfEventContext { Regs = new PtRegs { Ip = 0x401000, Di = 3 }, SamplePeriod = 100_000, Addr = 0x7000 };
        Assert.Equal((0x401000UL, 100_000UL, 0x7000UL, 3), (ctx.Ip, ctx.SamplePeriod, ctx.Addr, ctx.Arg<int>(0)));
        var env = new BpfEnvironment { CpuCount = 2, ProcessorId = 1, PerfEventValue = new BpfPerfEventValue { Counter = 5 } };
        using var scope = BpfEnvironment.Use(env);
        Assert.Equal(0, Bpf.PerfProgReadValue(ctx, out var value));
        Assert.Equal(5UL, value.Counter);
        var counters = new PerfEventArray();
        Assert.Equal(-Errno.ENOENT, Bpf.PerfEventReadValue(counters, PerfEventArray.CurrentCpu, out _));
        counters.SetCounter(1, 1234, enabled: 10, running: 5);
        Assert.Equal(1234UL, Bpf.PerfEventRead(counters));
        counters.SetCounter(0, 1);
        Assert.Equal(-Errno.EINVAL, Bpf.PerfEventReadValue(counters, 0, out _));   // another CPU's event
    }

    [Fact]
    public void Spin_locks_exclude_and_must_be_held_to_unlock()
    {
        var lockHolder = new BpfSpinLock[1];
        long counter = 0;
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                Bpf.SpinLock(ref lockHolder[0]);
                counter++;
                Bpf.SpinUnlock(ref lockHolder[0]);
            }
        });
        Assert.Equal(40_000, counter);
        Assert.Throws<InvalidOperationException>(() => Bpf.SpinUnlock(ref lockHolder[0]));
    }
}
