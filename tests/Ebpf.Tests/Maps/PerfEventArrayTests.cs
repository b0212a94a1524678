namespace Ebpf.Tests.Maps;

public class PerfEventArrayTests
{
    [Fact]
    public void Samples_go_to_the_current_cpus_buffer()
    {
        using var _ = BpfEnvironment.Use(new BpfEnvironment { CpuCount = 2, ProcessorId = 1 });
        var events = new PerfEventArray();
        Assert.Equal(2u, events.MaxEntries);                 // 0 entries = one per CPU
        var ctx = new PtRegs();
        Assert.Equal(0, events.Output(ctx, 42L));
        Assert.Equal(0, events.Output(ctx, 43L, flags: 1)); // explicitly CPU 1's entry
        var samples = events.TakeAll();
        Assert.Equal([1u, 1u], samples.Select(s => s.Cpu));
        Assert.Equal(42L, BitConverter.ToInt64(samples[0].Data));
        Assert.Empty(events.TakeAll());
    }

    [Fact]
    public void Errors_follow_the_kernel()
    {
        using var _ = BpfEnvironment.Use(new BpfEnvironment { CpuCount = 2, ProcessorId = 0 });
        var events = new PerfEventArray();
        var ctx = new PtRegs();
        Assert.Equal(-Errno.EOPNOTSUPP, events.Output(ctx, 1, flags: 1));   // another CPU's event
        Assert.Equal(-Errno.E2BIG, events.Output(ctx, 1, flags: 2));
        Assert.Equal(-Errno.EINVAL, events.Output(ctx, 1, flags: 1UL << 32));
        Assert.Empty(events.TakeAll<int>());
    }
}
