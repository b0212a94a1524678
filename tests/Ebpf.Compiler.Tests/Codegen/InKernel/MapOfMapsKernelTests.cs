using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>Programs that look inner maps up in maps of maps: user space stores inner maps in the outer maps'
/// slots (our runtime in the kernel, <c>Set</c> on the managed maps), the program finds them and uses them as
/// maps of their own, and every step's result and the inner maps' contents equal the same C# run on .NET.</summary>
public class MapOfMapsKernelTests
{
    const string Source = """
        using System.Runtime.CompilerServices;
        using Ebpf;

        public struct Step { public uint Tenant; public uint Slot; public uint Key; public uint Unused; }

        [BpfObject(License = "GPL")]
        public static partial class Nested
        {
            static readonly ArrayOfMaps<ArrayMap<long>> Tenants = new(maxEntries: 4, innerMaxEntries: 8);
            static readonly HashOfMaps<uint, HashMap<uint, long>> ByKey = new(maxEntries: 4, innerMaxEntries: 16);
            static long Result;

            public static long Apply(uint tenant, uint slot, uint key)
            {
                var counters = Tenants.Lookup(tenant);
                if (counters == null) return -1;
                ref long count = ref counters.Lookup(slot);
                if (Unsafe.IsNullRef(ref count)) return -2;
                count += 5;
                var table = ByKey.Lookup(in key);
                if (table is null) return count * 100 - 3;
                long sum = count;
                if (table.TryGetValue(slot, out long before)) sum += before;
                table.Update(slot, sum);
                return sum;
            }

            [Xdp]
            static XdpAction Run(XdpContext ctx)
            {
                if (!ctx.TryRead(0, out Step step)) return XdpAction.Aborted;
                Result = Apply(step.Tenant, step.Slot, step.Key);
                return XdpAction.Pass;
            }
        }
        """;

    // (tenant, slot, key): slots 0 and 2 hold inner arrays, key 7 an inner hash; slot 8 is past the inner array's end.
    static readonly (uint Tenant, uint Slot, uint Key)[] Steps =
        { (0, 1, 7), (0, 1, 7), (0, 3, 9), (1, 0, 7), (0, 8, 7), (2, 1, 7), (2, 1, 9), (3, 0, 0), (5, 0, 7), (0, 1, 7) };

    [SkippableFact]
    public void Inner_maps_looked_up_in_maps_of_maps_give_the_dotnet_results()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Nested.cs");
        using var inner = TenantInnerMaps.Store(probe, Source, "Nested.cs", "Nested");
        inner.SetInTenant2(1, 100);
        var apply = inner.ManagedClass.GetMethod("Apply")!;

        var expected = new List<long>();
        var actual = new List<long>();
        foreach (var (tenant, slot, key) in Steps)
        {
            expected.Add((long)apply.Invoke(null, new object[] { tenant, slot, key })!);
            var packet = new byte[16];
            BitConverter.TryWriteBytes(packet.AsSpan(0), tenant);
            BitConverter.TryWriteBytes(packet.AsSpan(4), slot);
            BitConverter.TryWriteBytes(packet.AsSpan(8), key);
            Assert.Equal((uint)XdpAction.Pass, probe.RunXdp("Run", packet));
            actual.Add(probe.Global<long>("Result"));
        }
        // Every branch is taken: a found inner array and hash, an empty slot, an index past the inner array, a missing key.
        Assert.Equal(new long[] { 5, 15, 497, -1, -2, 120, 10997, -1, -1, 135 }, expected);
        Assert.Equal(expected, actual);

        inner.AssertTenantArraysMatch();
        var (onlyKey, onlyValue) = Assert.Single(inner.Managed7);
        Assert.Equal((1u, 135L), (onlyKey, onlyValue));
        Assert.Equal(onlyValue, inner.ReadTable7(onlyKey));
        Assert.Equal(long.MinValue, inner.ReadTable7(3));
    }

    [Fact]
    public void Managed_maps_of_maps_refuse_an_inner_map_unlike_the_template_and_an_index_past_the_end()
    {
        var tenants = new ArrayOfMaps<ArrayMap<long>>(maxEntries: 2, innerMaxEntries: 8);
        Assert.Throws<ArgumentException>(() => tenants.Set(0, new ArrayMap<long>(maxEntries: 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => tenants.Set(2, new ArrayMap<long>(maxEntries: 8)));
        Assert.Null(tenants.Lookup(0));
        var inner = new ArrayMap<long>(maxEntries: 8);
        tenants.Set(1, inner);
        Assert.Same(inner, tenants.Lookup(1));
        Assert.True(tenants.Remove(1));
        Assert.Null(tenants.Lookup(1));

        var byKey = new HashOfMaps<uint, HashMap<uint, long>>(maxEntries: 1, innerMaxEntries: 4);
        byKey.Set(3, new HashMap<uint, long>(maxEntries: 4));
        Assert.Throws<InvalidOperationException>(() => byKey.Set(4, new HashMap<uint, long>(maxEntries: 4)));
        Assert.NotNull(byKey.Lookup(3));
        Assert.Null(byKey.Lookup(4));
    }

    [Fact]
    public void Inner_map_used_without_a_null_check_is_EBPF2106_at_the_inner_map()
    {
        const string bad = """
            using Ebpf;
            [BpfObject(License = "GPL")]
            public static partial class Unchecked
            {
                static readonly ArrayOfMaps<ArrayMap<long>> Tenants = new(maxEntries: 4, innerMaxEntries: 8);
                [Xdp]
                static XdpAction Run(XdpContext ctx)
                {
                    var inner = Tenants.Lookup(0);
                    inner!.Update(0, 1);
                    return XdpAction.Pass;
                }
            }
            """;
        var result = Ebpf.Compiler.Pipeline.BpfCompiler.CompileSources(new[] { (bad, "Unchecked.cs") });
        Assert.False(result.Success);
        var error = Assert.Single(result.Diagnostics, d => d.Id == "EBPF2106");
        Assert.Contains("inner map", error.GetMessage());
        Assert.Contains("if (inner == null)", error.GetMessage());
        Assert.Equal(9, error.Location.GetLineSpan().StartLinePosition.Line);
    }
}
