using System.Reflection;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Runtime;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>The inner maps of the map-of-maps kernel tests, twice: for a probe that declares
/// <c>ArrayOfMaps&lt;ArrayMap&lt;long&gt;&gt; Tenants</c> (4 slots of 8-entry arrays) and
/// <c>HashOfMaps&lt;uint, HashMap&lt;uint, long&gt;&gt; ByKey</c> (inner hashes of 16), an inner array in tenant slots 0
/// and 2 and an inner hash under key 7, stored by our runtime in the loaded probe's outer maps and by <c>Set</c> in the
/// same C# built for .NET. The tests then run the probe on both and compare what the twins hold.</summary>
sealed class TenantInnerMaps : IDisposable
{
    readonly Map _tenant0, _tenant2, _table7;
    readonly ArrayMap<long> _managed0 = new(maxEntries: 8), _managed2 = new(maxEntries: 8);

    TenantInnerMaps(LoadedProbe probe, Type managedClass)
    {
        _tenant0 = Map.Create(new Ebpf.Object.MapSpec { Name = "tenant0", Type = Ebpf.Object.MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 8 });
        _tenant2 = Map.Create(new Ebpf.Object.MapSpec { Name = "tenant2", Type = Ebpf.Object.MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 8 });
        _table7 = Map.Create(new Ebpf.Object.MapSpec { Name = "table7", Type = Ebpf.Object.MapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 16 });
        var tenants = probe.Collection.Maps["Tenants"].AsMapOfMaps<uint>();
        tenants.Set(0, _tenant0);
        tenants.Set(2, _tenant2);
        probe.Collection.Maps["ByKey"].AsMapOfMaps<uint>().Set(7, _table7);

        ManagedClass = managedClass;
        var managedTenants = (ArrayOfMaps<ArrayMap<long>>)StaticField("Tenants");
        var managedByKey = (HashOfMaps<uint, HashMap<uint, long>>)StaticField("ByKey");
        managedTenants.Set(0, _managed0);
        managedTenants.Set(2, _managed2);
        managedByKey.Set(7, Managed7);
    }

    /// <summary>Stores the inner maps in <paramref name="probe"/> and in class <paramref name="className"/> of
    /// <paramref name="source"/> built for .NET (a fresh assembly, so its static maps start empty).</summary>
    public static TenantInnerMaps Store(LoadedProbe probe, string source, string path, string className)
        => new(probe, TestCompilations.EmitAndLoad(TestCompilations.Create(source, path)).GetType(className)!);

    /// <summary>The probe's class on .NET, whose methods the tests call for the expected results.</summary>
    public Type ManagedClass { get; }

    /// <summary>The inner hash under key 7 on .NET.</summary>
    public HashMap<uint, long> Managed7 { get; } = new(maxEntries: 16);

    /// <summary>Sets slot <paramref name="slot"/> of the inner array in tenant slot 2 on both sides.</summary>
    public void SetInTenant2(uint slot, long value)
    {
        _tenant2.Update(BitConverter.GetBytes(slot), BitConverter.GetBytes(value));
        _managed2[slot] = value;
    }

    /// <summary>Asserts both inner arrays hold the same values in the kernel as on .NET.</summary>
    public void AssertTenantArraysMatch()
    {
        for (uint i = 0; i < 8; i++)
        {
            Assert.Equal(_managed0[i], Read(_tenant0, i));
            Assert.Equal(_managed2[i], Read(_tenant2, i));
        }
    }

    /// <summary>The kernel's inner hash under key 7: the value at <paramref name="key"/>, or long.MinValue when absent.</summary>
    public long ReadTable7(uint key) => Read(_table7, key);

    static long Read(Map map, uint key)
        => map.Lookup(BitConverter.GetBytes(key)) is { } value ? BitConverter.ToInt64(value) : long.MinValue;

    object StaticField(string name) => ManagedClass.GetField(name, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    public void Dispose()
    {
        _table7.Dispose();
        _tenant2.Dispose();
        _tenant0.Dispose();
    }
}
