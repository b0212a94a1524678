namespace Ebpf.Runtime.Tests.Maps;

/// <summary>Maps of maps, queues and stacks, and opening pinned maps with shape checks.</summary>
public class MapKindTests
{
    [SkippableFact]
    public void Map_of_maps_stores_inner_maps_and_refuses_one_unlike_the_template()
    {
        Kernel.RequireBpf();
        var inner = new MapSpec { Name = "inner", Type = MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 16 };
        using var outer = Map.CreateMapOfMaps(new MapSpec { Name = "outer", Type = MapType.ArrayOfMaps, KeySize = 4, ValueSize = 4, MaxEntries = 4 }, inner);
        using var first = Map.Create(inner);
        using var wrong = Map.Create(new MapSpec { Name = "wrong", Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 16 });
        var slots = outer.AsMapOfMaps<uint>();
        slots.Set(1, first);
        Assert.Equal(first.GetInfo().Id, slots.GetId(1));
        Assert.Null(slots.GetId(2));
        using (var opened = slots.Open(1)!)
            Assert.Equal((MapType.Hash, 4u, 8u), (opened.Type, opened.KeySize, opened.ValueSize));
        var e = Assert.Throws<BpfException>(() => slots.Set(2, wrong));
        Assert.Contains("template", e.Message);

        var noTemplate = Assert.Throws<BpfException>(() => Map.Create(new MapSpec { Name = "bare", Type = MapType.HashOfMaps, KeySize = 4, ValueSize = 4, MaxEntries = 4 }));
        Assert.Contains("CreateMapOfMaps", noTemplate.Message);
    }

    [SkippableFact]
    public void Queue_is_fifo_and_stack_is_lifo()
    {
        Kernel.RequireBpf();
        using var queueMap = Map.Create(new MapSpec { Name = "q", Type = MapType.Queue, ValueSize = 8, MaxEntries = 4 });
        using var stackMap = Map.Create(new MapSpec { Name = "s", Type = MapType.Stack, ValueSize = 8, MaxEntries = 4 });
        var queue = queueMap.AsQueue<ulong>();
        var stack = stackMap.AsQueue<ulong>();
        foreach (ulong v in new ulong[] { 1, 2, 3 }) { queue.Push(v); stack.Push(v); }
        Assert.True(queue.TryPeek(out var head) && head == 1);
        Assert.Equal(new ulong[] { 1, 2, 3 }, Drain(queue));
        Assert.Equal(new ulong[] { 3, 2, 1 }, Drain(stack));
        Assert.False(queue.TryPop(out _));

        static List<ulong> Drain(QueueMap<ulong> q)
        {
            var list = new List<ulong>();
            while (q.TryPop(out var v)) list.Add(v);
            return list;
        }
    }

    [SkippableFact]
    public void Reopening_a_pinned_map_checks_its_shape_and_names_each_difference()
    {
        Kernel.RequireBpf();
        string path = Path.Combine(MapOptions.DefaultPinPath, $"ebpf-runtime-branch-pin-{Environment.ProcessId}");
        var spec = new MapSpec { Name = "pinned", Type = MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 32 };
        using var map = Map.Create(spec);
        map.Pin(path);
        try
        {
            using (var same = Map.OpenPinned(path, spec))
                Assert.Equal(map.GetInfo().Id, same.GetInfo().Id);
            var e = Assert.Throws<MapMismatchException>(() => Map.OpenPinned(path,
                new MapSpec { Name = "pinned", Type = MapType.LruHash, KeySize = 4, ValueSize = 16, MaxEntries = 32 }));
            Assert.Contains("type hash (object: lru_hash)", e.Message);
            Assert.Contains("value size 8 (object: 16)", e.Message);
        }
        finally
        {
            map.Unpin();
        }
    }
}
