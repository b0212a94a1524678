namespace Ebpf.Tests.Maps;

public class StackTraceMapTests
{
    [Fact]
    public void The_same_stack_gets_the_same_id()
    {
        var stacks = new StackTraceMap(maxEntries: 64);
        var env = new BpfEnvironment { KernelStack = [0xffffffff81000010, 0xffffffff81000020, 0xffffffff81000030] };
        using var _ = BpfEnvironment.Use(env);
        long id = Bpf.GetStackid(new PtRegs(), stacks, StackFlags.None);
        Assert.InRange(id, 0, 63);
        Assert.Equal(id, Bpf.GetStackid(new PtRegs(), stacks, StackFlags.None));
        Assert.Equal(env.KernelStack, stacks.LookupStack((uint)id));
        long skipped = Bpf.GetStackid(new PtRegs(), stacks, (StackFlags)1);
        Assert.Equal(env.KernelStack[1..], stacks.LookupStack((uint)skipped)!);
    }

    [Fact]
    public void User_stacks_and_errors()
    {
        var stacks = new StackTraceMap(maxEntries: 1);           // one bucket: collisions are certain
        using var _ = BpfEnvironment.Use(new BpfEnvironment { KernelStack = [1, 2], UserStack = [0x400000] });
        long user = Bpf.GetStackid(new PtRegs(), stacks, StackFlags.UserStack);
        Assert.Equal(0, user);
        Assert.Equal(-Errno.EEXIST, Bpf.GetStackid(new PtRegs(), stacks, StackFlags.None));
        Assert.Equal(0, Bpf.GetStackid(new PtRegs(), stacks, StackFlags.ReuseStackId));
        Assert.Equal([1UL, 2UL], stacks.LookupStack(0)!);
        Assert.Equal(-Errno.EFAULT, Bpf.GetStackid(new PtRegs(), stacks, (StackFlags)2));
        Assert.Equal(0, stacks.Delete(0));
        Assert.Equal(-Errno.ENOENT, stacks.Delete(0));
    }

    [Fact]
    public void Depth_is_limited_by_the_map()
    {
        var stacks = new StackTraceMap(maxEntries: 4, maxDepth: 2);
        using var _ = BpfEnvironment.Use(new BpfEnvironment { KernelStack = [1, 2, 3] });
        long id = Bpf.GetStackid(new PtRegs(), stacks, StackFlags.None);
        Assert.Equal([1UL, 2UL], stacks.LookupStack((uint)id)!);
    }

    [Fact]
    public void Get_stack_copies_addresses_and_zeroes_the_rest()
    {
        using var _ = BpfEnvironment.Use(new BpfEnvironment { KernelStack = [10, 20, 30] });
        var buffer = new ulong[4];
        buffer.AsSpan().Fill(0xFF);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan());
        Assert.Equal(16, Bpf.GetStack(new PtRegs(), bytes, (StackFlags)1));
        Assert.Equal([20UL, 30UL, 0UL, 0UL], buffer);
        Assert.Equal(-Errno.EINVAL, Bpf.GetStack(new PtRegs(), bytes[..12], StackFlags.None));
    }

    [Fact]
    public void Get_stack_refuses_flags_it_does_not_take_and_clears_the_buffer()
    {
        using var _ = BpfEnvironment.Use(new BpfEnvironment { KernelStack = [10, 20, 30], UserStack = [0x400000, 0x400100] });
        var buffer = new ulong[4];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan());
        foreach (var refused in new[] { StackFlags.FastStackCompare, StackFlags.UserBuildId, (StackFlags)(1UL << 40) })
        {
            buffer.AsSpan().Fill(0xFF);
            Assert.Equal(-Errno.EINVAL, Bpf.GetStack(new PtRegs(), bytes, refused));
            Assert.Equal(new ulong[4], buffer);
        }
        Assert.Equal(16, Bpf.GetStack(new PtRegs(), bytes, StackFlags.UserStack));
        Assert.Equal([0x400000UL, 0x400100UL, 0UL, 0UL], buffer);
        buffer.AsSpan().Fill(0xFF);
        Assert.Equal(0, Bpf.GetStack(new PtRegs(), bytes, (StackFlags)5));   // skips past the whole stack
        Assert.Equal(new ulong[4], buffer);
    }
}
