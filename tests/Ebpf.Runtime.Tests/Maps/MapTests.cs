using Ebpf.Object;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ebpf.Runtime.Tests.Maps;

public class MapTests
{
    static MapSpec Spec(string name, MapType type, uint key, uint value, uint max, MapPinning pinning = MapPinning.None)
        => new() { Name = name, Type = type, KeySize = key, ValueSize = value, MaxEntries = max, Pinning = pinning };

    [SkippableFact]
    public void Hash_map_crud_through_the_typed_view()
    {
        Kernel.RequireBpf();
        using var map = Map.Create(Spec("t_hash", MapType.Hash, 4, 8, 16));
        var counts = map.As<uint, ulong>();

        counts.Update(1, 100);
        counts.Update(2, 200, MapUpdateFlags.NoExist);
        counts[3] = 300;
        Assert.Equal(200UL, counts.Lookup(2));
        Assert.Equal(300UL, counts[3]);
        Assert.False(counts.TryLookup(4, out _));
        Assert.Throws<KeyNotFoundException>(() => counts.Lookup(4));

        var exists = Assert.Throws<BpfException>(() => counts.Update(2, 5, MapUpdateFlags.NoExist));
        Assert.Equal(Ebpf.Runtime.Syscalls.Errno.EEXIST, exists.Errno);
        Assert.Contains("EEXIST", exists.Message);
        Assert.Contains("NoExist", exists.Message);
        var missing = Assert.Throws<BpfException>(() => counts.Update(9, 5, MapUpdateFlags.Exist));
        Assert.Equal("ENOENT", missing.ErrnoName);

        counts.Update(2, 222, MapUpdateFlags.Exist);
        Assert.Equal(222UL, counts[2]);
        Assert.True(counts.Delete(2));
        Assert.False(counts.Delete(2));
        Assert.False(counts.TryLookup(2, out _));

        Assert.Equal(new uint[] { 1, 3 }, counts.Keys.Order().ToArray());
        Assert.Equal(new Dictionary<uint, ulong> { [1] = 100, [3] = 300 }, counts.ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    [SkippableFact]
    public void Hash_map_contents_match_what_bpftool_dumps()
    {
        Kernel.RequireBpf();
        using var map = Map.Create(Spec("t_dump", MapType.Hash, 4, 8, 8));
        var typed = map.As<uint, ulong>();
        for (uint k = 1; k <= 5; k++) typed[k] = k * 1000 + 7;

        var info = map.GetInfo();
        var dump = ExternalTool.Run(ExternalTool.Require("bpftool"), "map", "dump", "id", info.Id.ToString(), "-j");
        Assert.True(dump.ExitCode == 0, dump.Combined);
        var fromBpftool = new Dictionary<uint, ulong>();
        foreach (var entry in JsonDocument.Parse(dump.StdOut).RootElement.EnumerateArray())
        {
            byte[] Hex(string property) => entry.GetProperty(property).EnumerateArray().Select(e => Convert.ToByte(e.GetString(), 16)).ToArray();
            fromBpftool[BitConverter.ToUInt32(Hex("key"))] = BitConverter.ToUInt64(Hex("value"));
        }
        Assert.Equal(fromBpftool.OrderBy(kv => kv.Key), typed.OrderBy(kv => kv.Key));
        Assert.Equal("hash", MapKinds.KernelName(info.Type));
        Assert.Equal(("t_dump", 4u, 8u, 8u), (info.Name, info.KeySize, info.ValueSize, info.MaxEntries));
    }

    [SkippableFact]
    public void Array_map_has_every_index_and_refuses_deletes()
    {
        Kernel.RequireBpf();
        using var map = Map.Create(Spec("t_array", MapType.Array, 4, 4, 4));
        var array = map.As<uint, int>();
        array[2] = -5;
        Assert.Equal(new uint[] { 0, 1, 2, 3 }, array.Keys.ToArray());
        Assert.Equal(new[] { 0, 0, -5, 0 }, array.Select(kv => kv.Value).ToArray());
        var delete = Assert.Throws<BpfException>(() => array.Delete(2));
        Assert.Contains("array map elements cannot be deleted", delete.Message);
        var outOfRange = Assert.Throws<BpfException>(() => array.Update(4, 1));
        Assert.Equal("E2BIG", outOfRange.ErrnoName);
    }

    [StructLayout(LayoutKind.Sequential)]
    record struct Triple(int A, int B, int C); // 12 bytes: per-CPU slots round to 16

    [SkippableFact]
    public void Per_cpu_maps_hold_one_value_per_possible_cpu()
    {
        Kernel.RequireBpf();
        int cpus = PossibleCpus.Count;
        Assert.Equal(PossibleCpus.Parse(File.ReadAllText("/sys/devices/system/cpu/possible")), cpus);

        using var hash = Map.Create(Spec("t_pcpu_hash", MapType.PerCpuHash, 4, 12, 8));
        Assert.Equal(16 * cpus, hash.ValueBufferSize);
        var perCpu = hash.AsPerCpu<uint, Triple>();
        var values = Enumerable.Range(0, cpus).Select(c => new Triple(c, c * 10, -c)).ToArray();
        perCpu.Update(7, values);
        Assert.Equal(values, perCpu.Lookup(7));
        perCpu.UpdateAll(8, new Triple(1, 2, 3));
        Assert.All(perCpu.Lookup(8), v => Assert.Equal(new Triple(1, 2, 3), v));
        Assert.Equal(new uint[] { 7, 8 }, perCpu.Keys.Order().ToArray());
        Assert.Throws<ArgumentException>(() => perCpu.Update(9, new Triple[cpus + 1]));

        using var array = Map.Create(Spec("t_pcpu_array", MapType.PerCpuArray, 4, 8, 2));
        var counters = array.AsPerCpu<uint, ulong>();
        counters.Update(1, Enumerable.Range(0, cpus).Select(c => (ulong)(c + 1) * 11).ToArray());
        Assert.Equal(Enumerable.Range(0, cpus).Select(c => (ulong)(c + 1) * 11), counters.Lookup(1));
        Assert.All(counters.Lookup(0), v => Assert.Equal(0UL, v));
        Assert.Equal(2, counters.Count());

        var wrongView = Assert.Throws<InvalidOperationException>(() => array.As<uint, ulong>());
        Assert.Contains("AsPerCpu", wrongView.Message);
    }

    [SkippableFact]
    public void Typed_view_with_wrong_sizes_says_which_side_differs()
    {
        Kernel.RequireBpf();
        using var map = Map.Create(Spec("t_sizes", MapType.Hash, 4, 8, 4));
        var e = Assert.Throws<MapMismatchException>(() => map.As<ulong, ulong>());
        Assert.Equal("map 't_sizes': key type UInt64 is 8 bytes but the map's keys are 4 bytes", e.Message);
        var raw = Assert.Throws<ArgumentException>(() => map.Update(new byte[4], new byte[4]));
        Assert.Contains("8-byte values", raw.Message);
    }

    [SkippableFact]
    public void Map_names_are_truncated_and_sanitized_like_libbpf()
    {
        Kernel.RequireBpf();
        using var map = Map.Create(Spec("a very-long map name here", MapType.Array, 4, 4, 1));
        Assert.Equal("a_very_long_map", map.GetInfo().Name);
        Assert.Equal("a_very_long_map", map.KernelName);
        Assert.Equal("a very-long map name here", map.Name);
    }

    [SkippableFact]
    public void Frozen_map_refuses_user_space_writes()
    {
        Kernel.RequireBpf();
        using var map = Map.Create(Spec("t_frozen", MapType.Array, 4, 4, 1));
        map.As<uint, int>()[0] = 42;
        map.Freeze();
        var e = Assert.Throws<BpfException>(() => map.As<uint, int>()[0] = 1);
        Assert.Equal("EPERM", e.ErrnoName);
        Assert.Contains("frozen", e.Message);
        Assert.Equal(42, map.As<uint, int>()[0]);
    }

    [SkippableFact]
    public void Pinning_by_name_reuses_a_compatible_pin_and_rejects_a_different_one()
    {
        Kernel.RequireBpf();
        string dir = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-runtime-test-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            var options = new MapOptions { PinPath = dir };
            uint id;
            using (var first = Map.Create(Spec("pinned_counts", MapType.Hash, 4, 8, 4, MapPinning.ByName), options))
            {
                Assert.Equal(Path.Combine(dir, "pinned_counts"), first.PinnedPath);
                first.As<uint, ulong>()[1] = 11;
                id = first.GetInfo().Id;
            }
            using (var second = Map.Create(Spec("pinned_counts", MapType.Hash, 4, 8, 4, MapPinning.ByName), options))
            {
                Assert.Equal(id, second.GetInfo().Id);
                Assert.Equal(11UL, second.As<uint, ulong>()[1]);
            }
            var e = Assert.Throws<MapMismatchException>(() => Map.Create(Spec("pinned_counts", MapType.Hash, 4, 8, 8, MapPinning.ByName), options));
            Assert.Contains("max_entries 4 (object: 8)", e.Message);

            using var opened = Map.OpenPinned(Path.Combine(dir, "pinned_counts"));
            Assert.Equal((MapType.Hash, 4u, 8u, 4u), (opened.Type, opened.KeySize, opened.ValueSize, opened.MaxEntries));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void EPERM_on_map_creation_points_at_capabilities_memlock_and_cgroup_accounting()
    {
        var request = new Map.MapCreateRequest("Counts", MapType.Hash, 4, 8, 1024, 0);
        var e = new BpfException("create map 'Counts'", Ebpf.Runtime.Syscalls.Errno.EPERM, Map.CreateHint(request, Ebpf.Runtime.Syscalls.Errno.EPERM));
        Assert.StartsWith("create map 'Counts': EPERM (Operation not permitted); creating maps needs CAP_BPF", e.Message);
        Assert.Contains("memory cgroup", e.Message);
        Assert.Contains("RLIMIT_MEMLOCK", e.Message);
        Assert.Contains("ulimit -l is ", e.Message);
    }

    [SkippableFact]
    public void Bad_map_parameters_fail_with_the_step_and_errno_name()
    {
        Kernel.RequireBpf();
        var e = Assert.Throws<BpfException>(() => Map.Create(Spec("bad_ring", MapType.RingBuf, 0, 0, 1000)));
        Assert.StartsWith("create map 'bad_ring': EINVAL (", e.Message);
        Assert.Contains("power of two", e.Message);
    }

    [SkippableFact]
    public void Element_operations_racing_dispose_see_the_map_or_ObjectDisposedException_never_a_recycled_fd()
    {
        Kernel.RequireBpf();
        var spec = Spec("race", MapType.Array, 4, 8, 1);
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var map = Map.Create(spec);
            var typed = map.As<uint, ulong>();
            typed[0] = 42;
            var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
            long lookups = 0;
            using var start = new Barrier(3);
            var reader = new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    while (true)
                    {
                        ulong value = typed.Lookup(0);
                        if (value != 42) failures.Enqueue($"read {value} through a closed map's fd");
                        lookups++;
                    }
                }
                catch (ObjectDisposedException)
                {
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.ToString());
                }
            });
            // Maps created while the first one is disposed take its fd number as soon as it is closed.
            var recycler = new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < 20; i++)
                {
                    using var other = Map.Create(spec);
                    other.As<uint, ulong>()[0] = 7;
                }
            });
            reader.Start();
            recycler.Start();
            start.SignalAndWait();
            while (Volatile.Read(ref lookups) < 10) Thread.Yield();
            map.Dispose();
            reader.Join();
            recycler.Join();
            Assert.Empty(failures);
            Assert.Throws<ObjectDisposedException>(() => typed.Lookup(0));
        }
    }

    [Theory]
    [InlineData(MapType.Hash, true)]
    [InlineData(MapType.PerCpuArray, true)]
    [InlineData(MapType.LruHash, true)]
    [InlineData(MapType.HashOfMaps, false)]
    [InlineData(MapType.ArrayOfMaps, false)]
    [InlineData(MapType.SockMap, false)]
    [InlineData(MapType.ProgArray, false)]
    [InlineData(MapType.StructOps, false)]
    [InlineData(MapType.TaskStorage, false)]
    public void Only_map_types_whose_element_commands_cannot_sleep_skip_the_gc_transition(MapType type, bool skips)
        => Assert.Equal(skips, Ebpf.Runtime.Syscalls.ShortMapCommands.CannotBlock(type));
}
