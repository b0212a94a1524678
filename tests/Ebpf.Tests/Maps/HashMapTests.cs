using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebpf.Tests.Maps;

public class HashMapTests
{
    [Fact]
    public void Lookup_of_a_missing_key_is_a_null_ref()
    {
        var map = new HashMap<uint, ulong>(maxEntries: 4);
        Assert.True(Unsafe.IsNullRef(ref map.Lookup(1)));
        Assert.False(map.TryGetValue(1, out var value));
        Assert.Equal(0UL, value);
    }

    [Fact]
    public void Lookup_returns_a_reference_into_the_stored_value()
    {
        var map = new HashMap<uint, ulong>(maxEntries: 4);
        Assert.Equal(0, map.Update(1, 10));
        ref ulong value = ref map.Lookup(1);
        value += 5;
        Assert.True(map.TryGetValue(1, out var read));
        Assert.Equal(15UL, read);
    }

    [Fact]
    public void Update_flags_follow_the_kernel()
    {
        var map = new HashMap<uint, ulong>(maxEntries: 4);
        Assert.Equal(-Errno.ENOENT, map.Update(1, 1, MapUpdate.Exist));
        Assert.Equal(0, map.Update(1, 1, MapUpdate.NoExist));
        Assert.Equal(-Errno.EEXIST, map.Update(1, 2, MapUpdate.NoExist));
        Assert.Equal(0, map.Update(1, 3, MapUpdate.Exist));
        Assert.Equal(-Errno.EINVAL, map.Update(1, 4, (MapUpdate)3));
        Assert.Equal(-Errno.EINVAL, map.Update(1, 4, MapUpdate.Lock));   // no bpf_spin_lock in the value
        Assert.True(map.TryGetValue(1, out var value));
        Assert.Equal(3UL, value);
    }

    [Fact]
    public void A_full_map_refuses_new_keys_with_E2BIG_but_replaces_existing_ones()
    {
        var map = new HashMap<uint, ulong>(maxEntries: 2);
        Assert.Equal(0, map.Update(1, 1));
        Assert.Equal(0, map.Update(2, 2));
        Assert.Equal(-Errno.E2BIG, map.Update(3, 3));
        Assert.Equal(-Errno.EEXIST, map.Update(1, 9, MapUpdate.NoExist));   // the existence check comes first
        Assert.Equal(0, map.Update(2, 20));
        Assert.Equal(2, map.Count);
        Assert.Equal(0, map.Delete(1));
        Assert.Equal(0, map.Update(3, 3));
    }

    [Fact]
    public void Delete_of_a_missing_key_is_ENOENT()
    {
        var map = new HashMap<uint, ulong>(maxEntries: 2);
        Assert.Equal(-Errno.ENOENT, map.Delete(1));
        map.Update(1, 1);
        Assert.Equal(0, map.Delete(1));
        Assert.Equal(-Errno.ENOENT, map.Delete(1));
        Assert.Empty(map);
    }

    [Fact]
    public void A_replaced_element_keeps_its_old_value_for_earlier_references()
    {
        // The kernel allocates a new element on update; a pointer obtained before still reads the old one.
        var map = new HashMap<uint, ulong>(maxEntries: 2);
        map.Update(1, 1);
        ref ulong old = ref map.Lookup(1);
        map.Update(1, 2);
        Assert.Equal(1UL, old);
        Assert.Equal(2UL, map.Lookup(1));
    }

    [StructLayout(LayoutKind.Sequential)]
    struct FlowKey
    {
        public uint Source, Destination;
        public ushort SourcePort, DestinationPort;
        public byte Protocol;
    }

    [Fact]
    public void Struct_keys_compare_by_bytes()
    {
        var map = new HashMap<FlowKey, uint>(maxEntries: 8);
        var key = new FlowKey { Source = 1, Destination = 2, SourcePort = 3, DestinationPort = 4, Protocol = 17 };
        Assert.Equal(0, map.Update(key, 42));
        var same = key;
        Assert.Equal(42u, map.Lookup(same));
        key.Protocol = 6;
        Assert.True(Unsafe.IsNullRef(ref map.Lookup(key)));
    }

    [Fact]
    public void Enumeration_and_clear_see_every_entry()
    {
        var map = new HashMap<int, int>(maxEntries: 16);
        for (int i = 0; i < 10; i++) map.Update(i, i * i);
        Assert.Equal(Enumerable.Range(0, 10).Sum(i => i * i), map.Sum(e => e.Value));
        map.Clear();
        Assert.Equal(0, map.Count);
    }

    [Fact]
    public void The_definition_is_kept_and_zero_entries_is_refused()
    {
        var map = new HashMap<uint, uint>(maxEntries: 7, flags: MapFlags.NoPrealloc, pinning: MapPinning.ByName);
        Assert.Equal((MapType.Hash, 7u, MapFlags.NoPrealloc, MapPinning.ByName), (map.Type, map.MaxEntries, map.Flags, map.Pinning));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new HashMap<uint, uint>(maxEntries: 0));
        Assert.Contains("maxEntries", error.Message);
    }
}

public class LruHashMapTests
{
    [Fact]
    public void A_full_map_evicts_the_least_recently_used_key()
    {
        var map = new LruHashMap<uint, uint>(maxEntries: 3);
        Assert.Equal(MapType.LruHash, map.Type);
        map.Update(1, 1);
        map.Update(2, 2);
        map.Update(3, 3);
        _ = map.Lookup(1);                       // 2 is now the least recently used
        Assert.Equal(0, map.Update(4, 4));
        Assert.Equal([1u, 3u, 4u], map.Select(e => e.Key).Order());
        map.Update(3, 30);                       // an update also counts as use: 1 is next
        Assert.Equal(0, map.Update(5, 5));
        Assert.Equal([3u, 4u, 5u], map.Select(e => e.Key).Order());
    }

    [Fact]
    public void Flags_are_checked_before_eviction()
    {
        var map = new LruHashMap<uint, uint>(maxEntries: 1);
        map.Update(1, 1);
        Assert.Equal(-Errno.ENOENT, map.Update(2, 2, MapUpdate.Exist));
        Assert.Equal(1u, map.Lookup(1));
    }
}
