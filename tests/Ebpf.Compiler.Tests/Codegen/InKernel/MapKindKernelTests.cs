using System.Reflection;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>The map types beyond hashes and arrays (redirect maps, socket maps, Bloom filter, local storage,
/// user ring buffer): one object defines each, the kernel creates every map and verifies the programs that
/// use them, and the programs' results under BPF_PROG_TEST_RUN equal the same C# run on the managed maps.</summary>
public class MapKindKernelTests
{
    const string Source = """
        using System;
        using System.Runtime.CompilerServices;
        using Ebpf;

        public struct Input { public long A; public long B; }

        [BpfObject(License = "GPL")]
        public static unsafe partial class MapKinds
        {
            static readonly DevMap Devices = new(maxEntries: 4);
            static readonly DevMapHash DevicesByIndex = new(maxEntries: 4);
            static readonly CpuMap Cpus = new(maxEntries: 1);
            static readonly XskMap Sockets = new(maxEntries: 4);
            static readonly SockMap Socks = new(maxEntries: 4);
            static readonly SockHash<ulong> SocksByCookie = new(maxEntries: 4);
            static readonly BloomFilter<long> Seen = new(maxEntries: 1024, flags: MapFlags.ZeroSeed);
            static readonly TaskStorage<long> PerTask = new();
            static readonly InodeStorage<long> PerInode = new();
            static readonly SkStorage<long> PerSocket = new();
            static readonly CgrpStorage<long> PerCgroup = new();
            static readonly UserRingBuffer FromUser = new(sizeBytes: 4096);
            static long Result;

            public static long Bloom(long a, long b)
            {
                long pushed = Seen.Push(a);
                return pushed * 100 + Seen.Peek(a) * 10 + Seen.Peek(in b);
            }

            [Xdp]
            static XdpAction RunBloom(XdpContext ctx)
            {
                if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                Result = Bloom(input.A, input.B);
                return XdpAction.Pass;
            }

            [Xdp] public static XdpAction RedirectDevice(XdpContext ctx) => Devices.Redirect(1, XdpAction.Pass);
            [Xdp] public static XdpAction RedirectDeviceHash(XdpContext ctx) => DevicesByIndex.Redirect(7, XdpAction.Drop);
            [Xdp] public static XdpAction RedirectCpu(XdpContext ctx) => Cpus.Redirect(0, fallback: XdpAction.Pass);
            [Xdp] public static XdpAction RedirectXsk(XdpContext ctx) => Sockets.Redirect(3, XdpAction.Tx);

            public static long CountTask()
            {
                ref long n = ref PerTask.Get(Bpf.GetCurrentTaskBtf(), flags: LocalStorageFlags.Create);
                if (Unsafe.IsNullRef(ref n)) return -1;
                n += 1;
                return n;
            }

            public static long ForgetTask() => PerTask.Delete(Bpf.GetCurrentTaskBtf());

            [RawTracepoint("sys_enter")]
            static int CountCalls(RawTracepointContext ctx) { Result = CountTask(); return 0; }

            [RawTracepoint("sys_exit")]
            static int Forget(RawTracepointContext ctx) { Result = ForgetTask(); return 0; }
        }
        """;

    static readonly (long A, long B)[] BloomInputs = { (1, 2), (2, 1), (5, 5), (-7, 1), (1000, 3), (3, 1000), (42, 43), (43, 44) };

    [SkippableFact]
    public void The_kernel_creates_every_map_kind_and_bloom_filter_answers_as_the_managed_one()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "MapKinds.cs");
        foreach (var name in new[] { "Devices", "DevicesByIndex", "Cpus", "Sockets", "Socks", "SocksByCookie", "Seen", "PerTask", "PerInode", "PerSocket", "PerCgroup", "FromUser" })
            Assert.True(probe.Collection.Maps.ContainsKey(name), $"map {name} not created");

        var type = TestCompilations.EmitAndLoad(TestCompilations.Create(Source, "MapKinds.cs")).GetType("MapKinds")!;
        var bloom = type.GetMethod("Bloom")!;
        foreach (var (a, b) in BloomInputs)
        {
            long expected = (long)bloom.Invoke(null, new object[] { a, b })!;
            var packet = new byte[16];
            BitConverter.TryWriteBytes(packet.AsSpan(0), a);
            BitConverter.TryWriteBytes(packet.AsSpan(8), b);
            Assert.Equal(2u, probe.RunXdp("RunBloom", packet));
            Assert.Equal(expected, probe.Global<long>("Result"));
        }
    }

    [SkippableFact]
    public void Redirect_maps_give_the_fallback_for_an_empty_key_as_the_managed_maps_do()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "MapKinds.cs");
        var type = TestCompilations.EmitAndLoad(TestCompilations.Create(Source, "MapKinds.cs")).GetType("MapKinds")!;
        foreach (var program in new[] { "RedirectDevice", "RedirectDeviceHash", "RedirectCpu", "RedirectXsk" })
        {
            var managed = (int)type.GetMethod(program)!.Invoke(null, new object[] { default(XdpContext) })!;
            Assert.Equal((uint)managed, probe.RunXdp(program, new byte[64]));
            Assert.NotEqual((int)XdpAction.Redirect, managed);
        }
    }

    [SkippableFact]
    public void Redirect_through_a_devmap_entry_gives_XDP_REDIRECT_as_the_managed_map_does()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "MapKinds.cs");
        // ifindex 1 (lo) under key 1.
        probe.Collection.Maps["Devices"].Update(BitConverter.GetBytes(1u), BitConverter.GetBytes(1u));
        Assert.Equal((uint)XdpAction.Redirect, probe.RunXdp("RedirectDevice", new byte[64]));

        var managed = new DevMap(maxEntries: 4);
        Assert.Equal(XdpAction.Pass, managed.Redirect(1, XdpAction.Pass));
        managed.Set(1, 1);
        Assert.Equal(XdpAction.Redirect, managed.Redirect(1, XdpAction.Pass));
    }

    [SkippableFact]
    public unsafe void Task_storage_counts_per_task_and_deletes_as_the_managed_map_does()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "MapKinds.cs");
        var type = TestCompilations.EmitAndLoad(TestCompilations.Create(Source, "MapKinds.cs")).GetType("MapKinds")!;
        var environment = new BpfEnvironment { CurrentTask = 0x1000 };
        using var scope = BpfEnvironment.Use(environment);
        var expected = new List<long>();
        var actual = new List<long>();
        foreach (var step in new[] { "CountCalls", "CountCalls", "CountCalls", "Forget", "Forget", "CountCalls" })
        {
            var managedMethod = step == "CountCalls" ? "CountTask" : "ForgetTask";
            expected.Add((long)type.GetMethod(managedMethod)!.Invoke(null, null)!);
            // One thread runs every step, so the kernel's current task is the same each time.
            probe.Program(step).TestRun(new TestRunOptions());
            actual.Add(probe.Global<long>("Result"));
        }
        Assert.Equal(new long[] { 1, 2, 3, 0, -2, 1 }, expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Local_storage_without_NoPrealloc_is_a_diagnostic()
    {
        const string bad = """
            using Ebpf;
            [BpfObject(License = "GPL")]
            public static partial class BadStorage
            {
                static readonly TaskStorage<long> PerTask = new(flags: MapFlags.None);
                [Xdp] static XdpAction Run(XdpContext ctx) => XdpAction.Pass;
            }
            """;
        var result = Ebpf.Compiler.Pipeline.BpfCompiler.CompileSources(new[] { (bad, "BadStorage.cs") });
        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.ToString().Contains("NoPrealloc"));
    }

    [Fact]
    public void Managed_socket_maps_redirect_only_to_keys_holding_a_socket_and_update_by_the_kernels_flags()
    {
        var map = new SockMap(maxEntries: 2);
        Assert.Equal(SkAction.Drop, map.RedirectMsg(default, 0));
        Assert.Equal(0, map.Update(new SockOpsContext { LocalPort = 80 }, 0));
        Assert.Equal(SkAction.Pass, map.RedirectMsg(default, 0));
        Assert.Equal(SkAction.Pass, map.RedirectSkb(default, 0, SkRedirectFlags.Ingress));
        Assert.Equal(-Errno.EEXIST, map.Update(default, 0, MapUpdate.NoExist));
        Assert.Equal(-Errno.ENOENT, map.Update(default, 1, MapUpdate.Exist));
        Assert.Equal(0, map.Update(default, 1));
        Assert.Equal(-Errno.E2BIG, map.Update(default, 2));   // past the array

        var hash = new SockHash<ulong>(maxEntries: 4);
        hash.Add(42, socket: 7);
        Assert.Equal(SkAction.Pass, hash.RedirectMsg(default, 42));
        Assert.Equal(SkAction.Drop, hash.RedirectSkb(default, 43));
    }

    const string MapsOfMapsSource = """
        using Ebpf;

        [BpfObject(License = "GPL")]
        public static partial class Nested
        {
            static readonly ArrayOfMaps<ArrayMap<long>> Tenants = new(maxEntries: 4, innerMaxEntries: 8);
            static readonly HashOfMaps<uint, HashMap<uint, long>> ByIfindex = new(maxEntries: 4, innerMaxEntries: 16);
            static long Runs;

            [Xdp] static XdpAction Count(XdpContext ctx) { Runs++; return XdpAction.Pass; }
        }
        """;

    [SkippableFact]
    public void Maps_of_maps_carry_their_inner_template_through_the_object_and_the_kernel_takes_matching_inner_maps_only()
    {
        Kernel.RequireBpf();
        var result = Ebpf.Compiler.Pipeline.BpfCompiler.CompileSources(new[] { (MapsOfMapsSource, "Nested.cs") });
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var spec = Assert.Single(result.Objects).Spec;

        // The ELF reader decodes libbpf's __array(values, ...) back into the same template.
        var path = Path.Combine(Directory.CreateTempSubdirectory("nested-").FullName, "Nested.bpf.o");
        Ebpf.Object.ElfObjectWriter.WriteFile(spec, path);
        var reread = Ebpf.Object.ElfObjectReader.ReadFile(path);
        foreach (var (name, type, key, value, max) in new[] { ("Tenants", Ebpf.Object.MapType.Array, 4u, 8u, 8u), ("ByIfindex", Ebpf.Object.MapType.Hash, 4u, 8u, 16u) })
        {
            var inner = reread.Maps.Single(m => m.Name == name).InnerMap;
            Assert.NotNull(inner);
            Assert.Equal((type, key, value, max), (inner!.Type, inner.KeySize, inner.ValueSize, inner.MaxEntries));
        }

        using var collection = Collection.Load(reread);
        var matching = Map.Create(new Ebpf.Object.MapSpec { Name = "tenant0", Type = Ebpf.Object.MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 8 });
        var wrong = Map.Create(new Ebpf.Object.MapSpec { Name = "wrong", Type = Ebpf.Object.MapType.Array, KeySize = 4, ValueSize = 4, MaxEntries = 8 });
        using (matching) using (wrong)
        {
            var tenants = collection.Maps["Tenants"].AsMapOfMaps<uint>();
            tenants.Set(0, matching);
            Assert.NotNull(tenants.GetId(0));
            Assert.ThrowsAny<Exception>(() => tenants.Set(1, wrong));
        }
    }
}
