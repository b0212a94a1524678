using System.Runtime.CompilerServices;

namespace Ebpf.Tests.Maps;

public class ArrayMapTests
{
    [Fact]
    public void Elements_start_zero_and_exist_up_to_max_entries()
    {
        var map = new ArrayMap<ulong>(maxEntries: 3);
        Assert.Equal(0UL, map.Lookup(2));
        Assert.True(Unsafe.IsNullRef(ref map.Lookup(3)));
        Assert.False(map.TryGetValue(3, out _));
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void Update_and_delete_follow_the_kernel()
    {
        var map = new ArrayMap<ulong>(maxEntries: 3);
        Assert.Equal(0, map.Update(1, 5));
        Assert.Equal(0, map.Update(1, 6, MapUpdate.Exist));
        Assert.Equal(-Errno.EEXIST, map.Update(1, 7, MapUpdate.NoExist));
        Assert.Equal(-Errno.E2BIG, map.Update(3, 1));
        Assert.Equal(-Errno.EINVAL, map.Update(3, 1, (MapUpdate)3));    // flags checked before the index
        Assert.Equal(-Errno.EINVAL, map.Delete(1));
        Assert.Equal(6UL, map[1]);
    }

    [Fact]
    public void An_update_is_visible_through_earlier_references()
    {
        var map = new ArrayMap<ulong>(maxEntries: 1);
        ref ulong element = ref map.Lookup(0);
        map.Update(0, 11);
        Assert.Equal(11UL, element);
    }

    [Fact]
    public void Tests_seed_read_and_clear_by_index()
    {
        var map = new ArrayMap<int>(maxEntries: 3) { [0] = 1, [2] = 3 };
        Assert.Equal([1, 0, 3], map.Select(e => e.Value));
        Assert.Throws<ArgumentOutOfRangeException>(() => map[3]);
        map.Clear();
        Assert.All(map, e => Assert.Equal(0, e.Value));
    }
}
