namespace Ebpf.Tests.Helpers;

public unsafe class PrintkTests
{
    static (long Result, string? Line) Print(Func<long> printk)
    {
        var env = new BpfEnvironment();
        using var _ = BpfEnvironment.Use(env);
        long result = printk();
        return (result, env.TraceLines.SingleOrDefault());
    }

    [Fact]
    public void Integers_print_with_the_kernels_sizes_and_signs()
    {
        Assert.Equal("pid 42 uid 1000\n".Length, Print(() => Bpf.Printk("pid %d uid %u\n", 42u, 1000)).Result);
        Assert.Equal("pid 42 uid 1000", Print(() => Bpf.Printk("pid %d uid %u\n", 42u, 1000)).Line);
        Assert.Equal("-1 4294967295 ffffffff", Print(() => Bpf.Printk("%d %u %x", -1, -1, -1)).Line);
        Assert.Equal("-1 18446744073709551615 -1", Print(() => Bpf.Printk("%ld %llu %lli", -1L, -1L, -1L)).Line);
        Assert.Equal("0 3000000000", Print(() => Bpf.Printk("%ld %lu", (short)0, 3_000_000_000u)).Line);
        Assert.Equal("x=7FFFFFFF", Print(() => Bpf.Printk("x=%X", int.MaxValue)).Line);
    }

    [Fact]
    public void Widths_flags_and_percent()
    {
        Assert.Equal("[   42] [42   ] [-0042] 100%", Print(() => Bpf.Printk("[%5d] [%-5d] [%05d] 100%%", 42, 42, -42)).Line);
        Assert.Equal("[+42] [ 42] [-42]", Print(() => Bpf.Printk("[%+d] [% d] [%+d]", 42, 42, -42)).Line);
    }

    [Fact]
    public void Strings_characters_and_addresses_are_read_from_memory()
    {
        fixed (byte* namePointer = "bash\0"u8)
        fixed (byte* ipPointer = new byte[] { 10, 0, 0, 1 })
        {
            ulong name = (ulong)namePointer, ip = (ulong)ipPointer;
            Assert.Equal("comm=bash c=A ip=10.0.0.1", Print(() => Bpf.Printk("comm=%s c=%c ip=%pI4", name, (byte)'A', ip)).Line);
        }
        Assert.Equal("0x00000000deadbeef", Print(() => Bpf.Printk("%px", 0xdeadbeefUL)).Line);
        Assert.Equal("s=", Print(() => Bpf.Printk("s=%s", 0UL)).Line);   // a faulting read prints nothing
    }

    [Theory]
    [InlineData("%f")]            // no floating point
    [InlineData("%.3d")]          // no precision
    [InlineData("%d %d")]         // more conversions than arguments
    [InlineData("tab\u0001")]     // not printable
    [InlineData("%")]             // dangling
    public void The_kernel_refuses_these_formats(string format)
    {
#pragma warning disable CA1857   // formats are literals in programs; the test feeds several through one call
        var (result, line) = Print(() => Bpf.Printk(format, 1));
#pragma warning restore CA1857
        Assert.Equal(-Errno.EINVAL, result);
        Assert.Null(line);
    }

    [Fact]
    public void Vprintk_and_snprintf_take_argument_arrays()
    {
        Assert.Equal("1 2 3 4", Print(() => Bpf.TraceVprintk("%d %d %d %d", [1, 2, 3, 4])).Line);
        var buffer = new byte[8];
        Assert.Equal(12, Bpf.Snprintf(buffer, "%lu-%lu", [12345, 67890]));   // "12345-67890" + zero
        Assert.Equal("12345-6\0"u8.ToArray(), buffer);
        Assert.Equal(-Errno.EINVAL, Bpf.Snprintf(buffer, "%q", [1]));
    }

    [Fact]
    public void A_sink_sees_lines_as_they_are_written()
    {
        var seen = new List<string>();
        var env = new BpfEnvironment { TraceSink = seen.Add };
        using var _ = BpfEnvironment.Use(env);
        Bpf.Printk("one");
        Bpf.Printk("two %d", 2);
        Assert.Equal(["one", "two 2"], seen);
        env.ClearTrace();
        Assert.Empty(env.TraceLines);
    }
}
