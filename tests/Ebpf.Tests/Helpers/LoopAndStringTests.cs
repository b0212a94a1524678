namespace Ebpf.Tests.Helpers;

public class LoopAndStringTests
{
    struct Sum { public ulong Total; public uint Limit; }

    [Fact]
    public void Loop_runs_the_callback_until_it_stops()
    {
        var state = new Sum { Limit = 10 };
        long calls = Bpf.Loop(100, static (uint i, ref Sum s) =>
        {
            s.Total += i;
            return i + 1 >= s.Limit ? 1 : 0;
        }, ref state);
        Assert.Equal(10, calls);
        Assert.Equal(45UL, state.Total);
        Assert.Equal(7, Bpf.Loop(7, i => 0));
    }

    [Fact]
    public void Loop_limits_follow_the_kernel()
    {
        Assert.Equal(-Errno.E2BIG, Bpf.Loop(Bpf.MaxLoops + 1, i => 0));
        Assert.Equal(-Errno.EINVAL, Bpf.Loop(1, i => 0, flags: 1));
    }

    [Fact]
    public void For_each_map_element_visits_and_updates_values()
    {
        var map = new HashMap<uint, ulong>(maxEntries: 8);
        for (uint k = 1; k <= 4; k++) map.Update(k, k * 10);
        var state = new Sum();
        long visited = Bpf.ForEachMapElem(map, static (in uint key, ref ulong value, ref Sum s) =>
        {
            s.Total += value;
            value = 0;
            return 0;
        }, ref state);
        Assert.Equal(4, visited);
        Assert.Equal(100UL, state.Total);
        Assert.All(map, e => Assert.Equal(0UL, e.Value));

        var array = new ArrayMap<ulong>(maxEntries: 5);
        long stoppedAfter = Bpf.ForEachMapElem(array, static (in uint i, ref ulong v, ref Sum s) => i == 2 ? 1 : 0, ref state);
        Assert.Equal(3, stoppedAfter);
    }

    [Fact]
    public void Strncmp_compares_with_a_literal()
    {
        Assert.Equal(0, Bpf.Strncmp("bash\0garbage"u8, "bash"));
        Assert.True(Bpf.Strncmp("bas\0"u8, "bash") < 0);
        Assert.True(Bpf.Strncmp("bat\0"u8, "bash") > 0);
        Assert.Equal(0, Bpf.Strncmp("ba"u8, "bash"));   // only s1's size is compared
    }

    [Theory]
    [InlineData("  42xyz", 0UL, 42L, 4L)]
    [InlineData("-17", 10UL, -17L, 3L)]
    [InlineData("0x1f", 0UL, 31L, 4L)]
    [InlineData("0777", 0UL, 511L, 4L)]
    [InlineData("ff", 16UL, 255L, 2L)]
    public void Strtol_parses_like_the_kernel(string text, ulong flags, long value, long consumed)
    {
        Assert.Equal(consumed, Bpf.Strtol(System.Text.Encoding.ASCII.GetBytes(text), flags, out long result));
        Assert.Equal(value, result);
    }

    [Fact]
    public void Strtol_errors()
    {
        Assert.Equal(-Errno.EINVAL, Bpf.Strtol("xyz"u8, 0, out _));
        Assert.Equal(-Errno.EINVAL, Bpf.Strtol("1"u8, 7, out _));
        Assert.Equal(-Errno.ERANGE, Bpf.Strtol("9223372036854775808"u8, 10, out _));
        Assert.Equal(20, Bpf.Strtol("-9223372036854775808"u8, 10, out long min));
        Assert.Equal(long.MinValue, min);
        Assert.Equal(-Errno.EINVAL, Bpf.Strtoul("-1"u8, 10, out _));
        Assert.Equal(20, Bpf.Strtoul("18446744073709551615"u8, 10, out ulong max));
        Assert.Equal(ulong.MaxValue, max);
    }
}
