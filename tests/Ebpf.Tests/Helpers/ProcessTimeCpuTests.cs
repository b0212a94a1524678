using System.Runtime.CompilerServices;
using System.Text;

namespace Ebpf.Tests.Helpers;

public class ProcessTimeCpuTests
{
    [InlineArray(16)]
    struct Comm { byte _first; }

    [Fact]
    public void Task_ids_come_from_the_environment()
    {
        using var _ = BpfEnvironment.Use(new BpfEnvironment { Tgid = 0x1234, Pid = 0x5678, Uid = 1000, Gid = 100 });
        Assert.Equal(0x1234_0000_5678UL, Bpf.GetCurrentPidTgid());
        Assert.Equal(100UL << 32 | 1000, Bpf.GetCurrentUidGid());
    }

    [Fact]
    public unsafe void The_task_name_is_zero_terminated_and_truncated_to_the_buffer()
    {
        using var _ = BpfEnvironment.Use(new BpfEnvironment { Comm = "nginx-worker" });
        Assert.Equal(0, Bpf.GetCurrentComm(out Comm comm));
        Assert.Equal("nginx-worker", Encoding.ASCII.GetString(((ReadOnlySpan<byte>)comm)[..12]));
        Assert.All(((ReadOnlySpan<byte>)comm)[12..].ToArray(), b => Assert.Equal(0, b));

        byte* small = stackalloc byte[6];
        new Span<byte>(small, 6).Fill(0xFF);
        Assert.Equal(0, Bpf.GetCurrentComm(small, 6));
        Assert.Equal("nginx\0"u8.ToArray(), new ReadOnlySpan<byte>(small, 6).ToArray());
        Assert.Equal(-Errno.EINVAL, Bpf.GetCurrentComm(Span<byte>.Empty));
    }

    [Fact]
    public void A_task_name_longer_than_the_kernels_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new BpfEnvironment { Comm = "a-very-long-process-name" });
        Assert.Contains("TASK_COMM_LEN", error.Message);
    }

    [Fact]
    public void Clocks_can_be_frozen_and_advanced()
    {
        var env = new BpfEnvironment { MonotonicNs = 5_000_000_123, SuspendedNs = 7, TaiOffsetNs = 100, Hz = 1000 };
        using var _ = BpfEnvironment.Use(env);
        Assert.Equal(5_000_000_123UL, Bpf.KtimeGetNs());
        Assert.Equal(5_000_000_130UL, Bpf.KtimeGetBootNs());
        Assert.Equal(5_000_000_223UL, Bpf.KtimeGetTaiNs());
        Assert.Equal(5_000_000_000UL, Bpf.KtimeGetCoarseNs());   // whole 1 ms ticks
        Assert.Equal(5000UL, Bpf.Jiffies64());
        env.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(5_002_000_123UL, Bpf.KtimeGetNs());
    }

    [Fact]
    public void The_real_clock_moves_forward()
    {
        ulong first = Bpf.KtimeGetNs();
        Thread.Sleep(2);
        Assert.True(Bpf.KtimeGetNs() > first);
    }

    [Fact]
    public void Cpu_numa_and_seeded_randomness()
    {
        using (BpfEnvironment.Use(new BpfEnvironment { CpuCount = 8, ProcessorId = 5, NumaNodeId = 1, RandomSeed = 42 }))
        {
            Assert.Equal(5u, Bpf.GetSmpProcessorId());
            Assert.Equal(1, Bpf.GetNumaNodeId());
            var first = Enumerable.Range(0, 5).Select(_ => Bpf.GetPrandomU32()).ToArray();
            using (BpfEnvironment.Use(new BpfEnvironment { RandomSeed = 42 }))
                Assert.Equal(first, Enumerable.Range(0, 5).Select(_ => Bpf.GetPrandomU32()).ToArray());
            Assert.True(first.Distinct().Count() > 1);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new BpfEnvironment { CpuCount = 2, ProcessorId = 2 });
    }

    [Fact]
    public async Task Environments_are_ambient_per_async_flow()
    {
        using var _ = BpfEnvironment.Use(new BpfEnvironment { ProcessId = 1 });
        var other = await Task.Run(() =>
        {
            using var inner = BpfEnvironment.Use(new BpfEnvironment { ProcessId = 2 });
            return Bpf.GetCurrentPidTgid() >> 32;
        });
        Assert.Equal(2UL, other);
        Assert.Equal(1UL, Bpf.GetCurrentPidTgid() >> 32);
    }

    [Fact]
    public void Signals_are_recorded_and_checked()
    {
        var env = new BpfEnvironment();
        using var _ = BpfEnvironment.Use(env);
        Assert.Equal(0, Bpf.SendSignal(9));
        Assert.Equal(0, Bpf.SendSignalThread(10));
        Assert.Equal(-Errno.EINVAL, Bpf.SendSignal(0));
        Assert.Equal([(9u, false), (10u, true)], env.SentSignals);
    }

    [Fact]
    public void Cgroup_and_namespace_ids()
    {
        using var scope = BpfEnvironment.Use(new BpfEnvironment { CgroupId = 77, ProcessId = 300, PidNamespace = (4, 12345) });
        Assert.Equal(77UL, Bpf.GetCurrentCgroupId());
        Assert.Equal(1UL, Bpf.GetCurrentAncestorCgroupId(0));
        Assert.Equal(0, Bpf.GetNsCurrentPidTgid(4, 12345, out var info));
        Assert.Equal((300u, 300u), (info.Pid, info.Tgid));
        Assert.Equal(-Errno.EINVAL, Bpf.GetNsCurrentPidTgid(4, 1, out _));
    }
}
