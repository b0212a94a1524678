using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ebpf.Tests.Maps;

public class LpmTrieTests
{
    static LpmKey<uint> Prefix(string cidr)
    {
        var parts = cidr.Split('/');
        uint address = BinaryPrimitives.ReadUInt32LittleEndian(System.Net.IPAddress.Parse(parts[0]).GetAddressBytes());
        return new LpmKey<uint>(uint.Parse(parts[1]), address);   // bytes in network order, as in memory
    }

    static LpmKey<uint> Host(string address) => Prefix(address + "/32");

    [Fact]
    public void Lookup_finds_the_longest_matching_prefix()
    {
        var routes = new LpmTrie<LpmKey<uint>, int>(maxEntries: 8);
        Assert.Equal(MapFlags.NoPrealloc, routes.Flags);
        Assert.Equal(0, routes.Update(Prefix("0.0.0.0/0"), 0));
        Assert.Equal(0, routes.Update(Prefix("10.0.0.0/8"), 8));
        Assert.Equal(0, routes.Update(Prefix("10.1.0.0/16"), 16));
        Assert.Equal(0, routes.Update(Prefix("10.1.2.128/25"), 25));

        Assert.Equal(16, routes.Lookup(Host("10.1.2.3")));
        Assert.Equal(25, routes.Lookup(Host("10.1.2.200")));
        Assert.Equal(8, routes.Lookup(Host("10.200.0.1")));
        Assert.Equal(0, routes.Lookup(Host("192.168.0.1")));
        Assert.Equal(8, routes.Lookup(Prefix("10.1.2.200/12")));   // the key's length limits the match
    }

    [Fact]
    public void Bits_beyond_the_prefix_do_not_matter()
    {
        var trie = new LpmTrie<LpmKey<uint>, int>(maxEntries: 2);
        trie.Update(Prefix("10.1.2.3/8"), 1);
        Assert.Equal(-Errno.EEXIST, trie.Update(Prefix("10.9.9.9/8"), 2, MapUpdate.NoExist));
        Assert.Equal(0, trie.Delete(Prefix("10.0.0.0/8")));
        Assert.True(Unsafe.IsNullRef(ref trie.Lookup(Host("10.1.2.3"))));
    }

    [Fact]
    public void Errors_follow_the_kernel()
    {
        var trie = new LpmTrie<LpmKey<uint>, int>(maxEntries: 1);
        Assert.Equal(-Errno.EINVAL, trie.Update(new LpmKey<uint>(33, 0), 1));
        Assert.Equal(-Errno.ENOENT, trie.Update(Prefix("1.0.0.0/8"), 1, MapUpdate.Exist));
        Assert.Equal(0, trie.Update(Prefix("1.0.0.0/8"), 1));
        Assert.Equal(-Errno.ENOSPC, trie.Update(Prefix("2.0.0.0/8"), 1));
        Assert.Equal(0, trie.Update(Prefix("1.0.0.0/8"), 5));          // replacing needs no space
        Assert.Equal(-Errno.ENOENT, trie.Delete(Prefix("1.0.0.0/9")));
        Assert.Equal([5], trie.Select(e => e.Value));
    }

    [Fact]
    public void The_kernel_requires_no_prealloc()
    {
        var error = Assert.Throws<ArgumentException>(() => new LpmTrie<LpmKey<uint>, int>(maxEntries: 1, flags: MapFlags.None));
        Assert.Contains("NoPrealloc", error.Message);
    }
}
