using System.Reflection;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>Inner maps used the way C# reads: a map method chained on the outer map's <c>Lookup</c> with <c>!.</c>
/// and <c>?.</c>, an inner map held in a local after a null check, updates, deletes and atomic adds through it, and
/// an inner map passed to a <c>Bpf.*</c> helper (<c>ForEachMapElem</c>). User space fills the outer maps (our
/// runtime's <c>AsMapOfMaps</c> in the kernel, <c>Set</c> on the managed maps); every step's result and the inner
/// maps' contents equal the same C# on .NET, except where .NET throws on <c>!.</c> over an empty slot: there eBPF
/// gives what a missing entry gives (a null ref, false, -ENOENT).</summary>
public class MapOfMapsChainKernelTests
{
    const string Source = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using Ebpf;

        public struct Step { public uint Op; public uint Tenant; public uint Slot; public uint Key; }

        [BpfObject(License = "GPL")]
        public static partial class Chained
        {
            static readonly ArrayOfMaps<ArrayMap<long>> Tenants = new(maxEntries: 4, innerMaxEntries: 8);
            static readonly HashOfMaps<uint, HashMap<uint, long>> ByKey = new(maxEntries: 4, innerMaxEntries: 16);
            static long Result;

            public static long Apply(uint op, uint tenant, uint slot, uint key)
            {
                if (op == 0)
                {
                    ref long count = ref Tenants.Lookup(tenant)!.Lookup(slot);
                    if (Unsafe.IsNullRef(ref count)) return -1;
                    return Interlocked.Add(ref count, 5);
                }
                if (op == 1)
                {
                    ByKey.Lookup(key)?.Update(slot, tenant * 10 + slot);
                    return ByKey.Lookup(key)!.TryGetValue(slot, out long value) ? value : -1;
                }
                if (op == 2) return ByKey.Lookup(key)!.Delete(slot);
                if (op == 3)
                {
                    var table = ByKey.Lookup(key);
                    if (table is null) return -3;
                    long sum = 0;
                    long visited = Bpf.ForEachMapElem(table, static (in uint k, ref long v, ref long total) => { total += k * v; v++; return 0; }, ref sum);
                    return visited * 100000 + sum;
                }
                var counters = Tenants.Lookup(tenant);
                if (counters is null) return -4;
                counters.Update(slot, key);
                ref long c = ref counters.Lookup(slot);
                if (Unsafe.IsNullRef(ref c)) return -5;
                return Interlocked.Increment(ref c);
            }

            [Xdp]
            static XdpAction Run(XdpContext ctx)
            {
                if (!ctx.TryRead(0, out Step step)) return XdpAction.Aborted;
                Result = Apply(step.Op, step.Tenant, step.Slot, step.Key);
                return XdpAction.Pass;
            }
        }
        """;

    // (op, tenant, slot, key, what eBPF gives where .NET throws on `!.` over an empty slot). Tenant slots 0 and 2
    // hold inner arrays; key 7 holds an inner hash.
    static readonly (uint Op, uint Tenant, uint Slot, uint Key, long? WhenNetThrows)[] Steps =
    {
        (0, 0, 1, 0, null), (0, 0, 1, 0, null), (0, 1, 1, 0, -1), (0, 0, 9, 0, null),
        (1, 3, 2, 7, null), (1, 0, 4, 7, null), (1, 0, 4, 5, -1),
        (3, 0, 0, 7, null),
        (2, 0, 2, 7, null), (2, 0, 2, 7, null), (2, 0, 2, 5, -2), (3, 0, 0, 5, null),
        (4, 2, 3, 40, null), (4, 1, 0, 0, null), (0, 2, 3, 0, null), (3, 0, 0, 7, null),
    };

    [SkippableFact]
    public void Chained_and_null_conditional_inner_map_calls_and_an_inner_map_passed_to_a_helper_give_the_dotnet_results()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Chained.cs");
        using var inner = TenantInnerMaps.Store(probe, Source, "Chained.cs", "Chained");
        var apply = inner.ManagedClass.GetMethod("Apply")!;

        var expected = new List<long>();
        var actual = new List<long>();
        foreach (var (op, tenant, slot, key, whenNetThrows) in Steps)
        {
            long dotnet;
            try
            {
                dotnet = (long)apply.Invoke(null, new object[] { op, tenant, slot, key })!;
                Assert.Null(whenNetThrows);
            }
            catch (TargetInvocationException e) when (e.InnerException is NullReferenceException && whenNetThrows is { } ebpf)
            {
                dotnet = ebpf;
            }
            expected.Add(dotnet);
            var packet = new byte[16];
            BitConverter.TryWriteBytes(packet.AsSpan(0), op);
            BitConverter.TryWriteBytes(packet.AsSpan(4), tenant);
            BitConverter.TryWriteBytes(packet.AsSpan(8), slot);
            BitConverter.TryWriteBytes(packet.AsSpan(12), key);
            Assert.Equal((uint)XdpAction.Pass, probe.RunXdp("Run", packet));
            actual.Add(probe.Global<long>("Result"));
        }
        // Both sides of every chain: found and empty slots, a missing inner key, a delete of a present and of a gone key.
        Assert.Equal(new long[] { 5, 10, -1, -1, 32, 4, -1, 200080, 0, -2, -2, -3, 41, -4, 46, 100020 }, expected);
        Assert.Equal(expected, actual);

        inner.AssertTenantArraysMatch();
        var (onlyKey, onlyValue) = Assert.Single(inner.Managed7);
        Assert.Equal((4u, 6L), (onlyKey, onlyValue));
        Assert.Equal(onlyValue, inner.ReadTable7(onlyKey));
        Assert.Equal(long.MinValue, inner.ReadTable7(2));
    }
}
