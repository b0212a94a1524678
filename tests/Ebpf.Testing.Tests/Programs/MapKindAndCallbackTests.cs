using Ebpf.Testing.Maps;

namespace Ebpf.Testing.Tests.Programs;

/// <summary>Map kinds beyond hash and array, and helpers that call back into the program, compiled from C# and run on
/// the interpreter: LPM trie, bloom filter, task storage, array of maps, user ring buffer,
/// <c>Bpf.Loop</c> and <c>Bpf.ForEachMapElem</c>. The expected values are what the same C# computes on .NET.</summary>
[Trait("Category", "Interpreter")]
public class MapKindAndCallbackTests
{
    public MapKindAndCallbackTests() => NonRoot.AssertWhenExpected();

    const string Source = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using Ebpf;

        [BpfObject(License = "GPL")]
        public static unsafe partial class Kinds
        {
            static readonly HashMap<uint, long> Table = new(maxEntries: 16);
            static readonly LpmTrie<LpmKey<uint>, ulong> Routes = new(maxEntries: 64);
            static readonly BloomFilter<uint> Seen = new(maxEntries: 64);
            static readonly TaskStorage<ulong> PerTask = new();
            static readonly ArrayOfMaps<ArrayMap<ulong>> Tenants = new(maxEntries: 4, innerMaxEntries: 4);
            static readonly UserRingBuffer Commands = new(sizeBytes: 4096);
            static long LoopCalls, LoopSum, EachCount, EachTotal, Drained, DrainTotal;

            [Xdp]
            static XdpAction DrainCommands(XdpContext ctx)
            {
                long total = 0;
                Drained = Commands.Drain(static (ref Dynptr sample, ref long t) =>
                {
                    if (Dynptr.Read(out uint value, in sample) != 0) return 1;
                    t += value;
                    ref uint first = ref Dynptr.Data<uint>(in sample);
                    if (!Unsafe.IsNullRef(ref first) && first == value) t += 1000;
                    return value == 99 ? 1 : 0;
                }, ref total);
                DrainTotal = total;
                return XdpAction.Pass;
            }

            [Xdp]
            static XdpAction Route(XdpContext ctx)
            {
                var key = new LpmKey<uint>(32, ctx.IngressIfindex);
                ref ulong hits = ref Routes.Lookup(in key);
                if (Unsafe.IsNullRef(ref hits)) return XdpAction.Pass;
                hits++;
                return XdpAction.Drop;
            }

            [Xdp]
            static XdpAction Once(XdpContext ctx)
            {
                uint source = ctx.IngressIfindex;
                if (Seen.Peek(in source) == 0) return XdpAction.Drop;
                Seen.Push(in source);
                return XdpAction.Pass;
            }

            [RawTracepoint("sys_enter")]
            static int CountPerTask(RawTracepointContext ctx)
            {
                ref ulong n = ref PerTask.Get(Bpf.GetCurrentTaskBtf(), flags: LocalStorageFlags.Create);
                if (!Unsafe.IsNullRef(ref n)) n++;
                return 0;
            }

            [Xdp]
            static XdpAction Tenant(XdpContext ctx)
            {
                var tenant = Tenants.Lookup(0);
                if (tenant == null) return XdpAction.Pass;
                ref ulong hits = ref tenant.Lookup(1);
                if (Unsafe.IsNullRef(ref hits)) return XdpAction.Aborted;
                Interlocked.Increment(ref hits);
                return XdpAction.Drop;
            }

            [Xdp]
            static XdpAction Callbacks(XdpContext ctx)
            {
                long sum = 0;
                LoopCalls = Bpf.Loop(10, static (uint i, ref long st) => { st += i * i; return st > 100 ? 1 : 0; }, ref sum);
                LoopSum = sum;
                long total = 0;
                EachCount = Bpf.ForEachMapElem(Table, static (in uint k, ref long v, ref long t) => { t += k * v; v += 1; return 0; }, ref total);
                EachTotal = total;
                return XdpAction.Pass;
            }
        }
        """;

    static BpfVm Load() => BpfTestHost.Load(ProbeCompiler.Compile(Source, "Kinds.cs"));

    static byte[] Prefix(uint length, uint data) => [.. BitConverter.GetBytes(length), .. BitConverter.GetBytes(data)];

    [Fact]
    public void Lpm_trie_lookup_takes_the_longest_stored_prefix_of_the_key()
    {
        var vm = Load();
        var routes = vm.Map<LpmTrieMap>("Routes");
        routes.Update(Prefix(24, 0x0B00_0005), BitConverter.GetBytes(0UL));     // bytes 05 00 00 0B: the /24 is 05 00 00
        routes.Update(Prefix(32, 0x0A00_0005), BitConverter.GetBytes(100UL));
        Assert.Equal(XdpAction.Drop, vm.RunXdp("Route", new byte[64], ingressIfindex: 0x0A00_0005).Action);
        Assert.Equal(XdpAction.Drop, vm.RunXdp("Route", new byte[64], ingressIfindex: 0x0C00_0005).Action);
        Assert.Equal(XdpAction.Drop, vm.RunXdp("Route", new byte[64], ingressIfindex: 0x0D00_0005).Action);
        Assert.Equal(XdpAction.Pass, vm.RunXdp("Route", new byte[64], ingressIfindex: 0x0C00_0006).Action);
        Assert.Equal(101UL, BitConverter.ToUInt64(routes.Lookup(Prefix(32, 0x0A00_0005))!));
        Assert.Equal(2UL, BitConverter.ToUInt64(routes.Lookup(Prefix(24, 0x0B00_0005))!));   // the stored /24, found by its own key
        Assert.True(routes.Delete(Prefix(32, 0x0A00_0005)));
        Assert.False(routes.Delete(Prefix(32, 0x0A00_0005)));
        Assert.Equal(XdpAction.Drop, vm.RunXdp("Route", new byte[64], ingressIfindex: 0x0A00_0005).Action);   // now the /24
        Assert.Equal(3UL, BitConverter.ToUInt64(routes.Lookup(Prefix(24, 0x0B00_0005))!));
        Assert.Throws<InvalidOperationException>(() => routes.Update(Prefix(33, 1), BitConverter.GetBytes(0UL)));   // -EINVAL
    }

    [Fact]
    public void Bloom_filter_peek_says_absent_until_the_value_was_pushed()
    {
        var vm = Load();
        Assert.Equal(XdpAction.Pass, vm.RunXdp("Once", new byte[64], ingressIfindex: 5).Action);
        Assert.Equal(XdpAction.Drop, vm.RunXdp("Once", new byte[64], ingressIfindex: 5).Action);
        Assert.Equal(XdpAction.Pass, vm.RunXdp("Once", new byte[64], ingressIfindex: 6).Action);
        var seen = vm.Map<BloomFilterMap>("Seen");
        Assert.True(seen.MayContain(BitConverter.GetBytes(6u)));
        Assert.False(seen.MayContain(BitConverter.GetBytes(7u)));
    }

    [Fact]
    public void Task_storage_keeps_one_value_per_task_created_on_first_get()
    {
        var vm = Load();
        const ulong First = 0xffff_8880_0010_0000, Second = 0xffff_8880_0020_0000;
        vm.Helpers.GetCurrentTask = () => First;
        for (int i = 0; i < 3; i++) vm.Run("CountPerTask", new byte[16]);
        vm.Helpers.GetCurrentTask = () => Second;
        vm.Run("CountPerTask", new byte[16]);
        var storage = vm.Map<LocalStorageMap>("PerTask");
        Assert.Equal(3UL, BitConverter.ToUInt64(storage.ValueOf(First)!));
        Assert.Equal(1UL, BitConverter.ToUInt64(storage.ValueOf(Second)!));
        vm.Helpers.GetCurrentTask = () => 0;                                  // no task: get returns null, nothing counted
        vm.Run("CountPerTask", new byte[16]);
        Assert.Equal(2, storage.Entries.Count());
    }

    [Fact]
    public void Array_of_maps_lookup_returns_the_inner_map_user_space_stored()
    {
        var vm = Load();
        Assert.Equal(XdpAction.Pass, vm.RunXdp("Tenant", new byte[64]).Action);   // slot 0 empty
        var tenants = vm.Map<MapOfMapsMap>("Tenants");
        Assert.Equal(Ebpf.Object.MapType.Array, tenants.InnerTemplate?.Type);
        var inner = tenants.CreateInner("tenant0");
        tenants.SetInner(0, inner);
        Assert.Equal(XdpAction.Drop, vm.RunXdp("Tenant", new byte[64]).Action);
        Assert.Equal(XdpAction.Drop, vm.RunXdp("Tenant", new byte[64]).Action);
        Assert.Equal(2UL, BitConverter.ToUInt64(inner.Lookup(BitConverter.GetBytes(1u))!));
        Assert.True(tenants.Delete(BitConverter.GetBytes(0u)));
        Assert.Equal(XdpAction.Pass, vm.RunXdp("Tenant", new byte[64]).Action);
    }

    [Fact]
    public void Loop_and_for_each_map_elem_call_the_compiled_callbacks_as_dotnet_does()
    {
        var vm = Load();
        var table = vm.GetMap<uint, long>("Table");
        table[1] = 10;
        table[2] = 20;
        table[3] = 30;
        vm.RunXdp("Callbacks", new byte[64]);

        // The same C# on .NET, through the managed kernel API.
        long sum = 0;
        long calls = Bpf.Loop(10, static (uint i, ref long st) => { st += i * i; return st > 100 ? 1 : 0; }, ref sum);
        Assert.Equal(calls, vm.Globals.Get<long>("LoopCalls"));
        Assert.Equal(sum, vm.Globals.Get<long>("LoopSum"));
        Assert.Equal(8L, calls);

        Assert.Equal(3L, vm.Globals.Get<long>("EachCount"));
        Assert.Equal(1 * 10 + 2 * 20 + 3 * 30, vm.Globals.Get<long>("EachTotal"));
        Assert.Equal([11L, 21L, 31L], new[] { table[1], table[2], table[3] });   // the callback wrote through the value
    }

    [Fact]
    public unsafe void User_ring_buffer_drain_hands_each_sample_to_the_callback_as_a_dynptr_as_dotnet_does()
    {
        var vm = Load();
        var commands = vm.Map<UserRingBufferMap>("Commands");
        uint[] samples = [5, 7, 99, 3];
        foreach (uint sample in samples) Assert.True(commands.TrySubmit(BitConverter.GetBytes(sample)));
        vm.RunXdp("DrainCommands", new byte[64]);

        // The same C# on .NET, through the managed kernel API.
        var managed = new UserRingBuffer(sizeBytes: 4096);
        foreach (uint sample in samples) managed.TrySubmit(sample);
        long total = 0;
        long drained = managed.Drain(static (ref Dynptr sample, ref long t) =>
        {
            if (Dynptr.Read(out uint value, in sample) != 0) return 1;
            t += value;
            ref uint first = ref Dynptr.Data<uint>(in sample);
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref first) && first == value) t += 1000;
            return value == 99 ? 1 : 0;
        }, ref total);

        Assert.Equal(3L, drained);                                         // stopped at 99
        Assert.Equal(drained, vm.Globals.Get<long>("Drained"));
        Assert.Equal(total, vm.Globals.Get<long>("DrainTotal"));
        Assert.Equal(5 + 7 + 99 + 3000L, total);
        Assert.Equal(managed.Count, commands.Count);                      // the 3 still queued
    }

    [Fact]
    public void User_ring_buffer_holds_as_many_samples_as_dotnet_s()
    {
        var vm = Load();
        foreach (int sampleLength in new[] { 0, 5, 8, 4096 - 8 })
        {
            var commands = vm.Map<UserRingBufferMap>("Commands");
            var managed = new UserRingBuffer(sizeBytes: 4096);
            var sample = new byte[sampleLength];
            int interpreted = 0, dotnet = 0;
            while (commands.TrySubmit(sample)) interpreted++;
            while (managed.TrySubmit(sample)) dotnet++;
            Assert.Equal(dotnet, interpreted);
            Assert.Equal(4096 / ((sampleLength + 8 + 7) / 8 * 8), interpreted);    // length + 8-byte header, rounded up to 8
            while (commands.TryTake(out _)) { }
        }
    }
}
