using System.Runtime.CompilerServices;

namespace Ebpf.Tests.Maps;

public class PerCpuMapTests
{
    static IDisposable OnCpu(uint cpu, uint cpus = 4) => BpfEnvironment.Use(new BpfEnvironment { CpuCount = cpus, ProcessorId = cpu });

    [Fact]
    public void Each_cpu_sees_its_own_value_of_a_per_cpu_hash()
    {
        using var _ = OnCpu(0);
        var map = new PerCpuHashMap<uint, ulong>(maxEntries: 8);
        Assert.Equal(MapType.PercpuHash, map.Type);
        Assert.Equal(0, map.Update(7, 100));                      // new key: CPU 0 = 100, others zero
        using (OnCpu(2))
        {
            Assert.Equal(0UL, map.Lookup(7));
            map.Lookup(7) += 5;
            Assert.Equal(0, map.Update(7, 50, MapUpdate.Exist)); // existing key: only CPU 2 changes
        }
        Assert.Equal(100UL, map.Lookup(7));
        Assert.Equal(new ulong[] { 100, 0, 50, 0 }, map.LookupAllCpus(7));
        Assert.Equal(50UL, map.LookupOnCpu(7, 2));
        Assert.True(Unsafe.IsNullRef(ref map.LookupOnCpu(7, 4)));    // no CPU 4
    }

    [Fact]
    public void User_space_writes_all_cpus_of_a_per_cpu_hash()
    {
        using var _ = OnCpu(1, cpus: 2);
        var map = new PerCpuHashMap<uint, uint>(maxEntries: 1);
        Assert.Equal(0, map.UpdateAllCpus(1, [10, 20]));
        Assert.Equal(20u, map.Lookup(1));
        Assert.Equal(-Errno.E2BIG, map.Update(2, 1));
        Assert.Equal([new KeyValuePair<uint, uint[]>(1, [10, 20])], map.ToList());
        Assert.Equal(0, map.Delete(1));
        Assert.Null(map.LookupAllCpus(1));
    }

    [Fact]
    public void An_lru_per_cpu_hash_evicts()
    {
        using var cpu = OnCpu(0, cpus: 1);
        var map = new LruPerCpuHashMap<uint, uint>(maxEntries: 2);
        map.Update(1, 1);
        map.Update(2, 2);
        _ = map.Lookup(1);
        Assert.Equal(0, map.Update(3, 3));
        Assert.Equal([1u, 3u], map.Select(e => e.Key).Order());
    }

    [Fact]
    public void A_per_cpu_array_keeps_a_value_per_cpu_per_element()
    {
        using var _ = OnCpu(3);
        var map = new PerCpuArray<ulong>(maxEntries: 2);
        map.Lookup(1) = 9;
        using (OnCpu(0)) Assert.Equal(0, map.Update(1, 4));
        Assert.Equal(new ulong[] { 4, 0, 0, 9 }, map.LookupAllCpus(1));
        Assert.Equal(4UL, map.LookupOnCpu(1, 0));
        Assert.True(Unsafe.IsNullRef(ref map.Lookup(2)));
        Assert.Equal(-Errno.E2BIG, map.Update(2, 1));
        Assert.Equal(-Errno.EEXIST, map.Update(0, 1, MapUpdate.NoExist));
        Assert.Equal(-Errno.EINVAL, map.Delete(0));
        map.UpdateAllCpus(0, [1, 2, 3, 4]);
        Assert.Equal(4UL, map.Lookup(0));
        Assert.Equal(10UL, map.LookupAllCpus(0).Aggregate(0UL, (a, b) => a + b));
        map.Clear();
        Assert.All(map, e => Assert.All(e.Value, v => Assert.Equal(0UL, v)));
    }
}
