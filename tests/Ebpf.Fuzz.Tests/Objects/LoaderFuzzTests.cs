using System.Collections.Concurrent;
using System.Diagnostics;
using CsCheck;
using Ebpf.Btf.Core;
using Ebpf.Object;
using Ebpf.Runtime;
using Ebpf.TestSupport;
using Xunit.Abstractions;

namespace Ebpf.Fuzz.Tests.Objects;

/// <summary>Mutated objects through the runtime's loader into the real kernel: every mutant is read, and every 4th one the
/// reader takes is loaded (maps, data sections, BTF, CO-RE relocation, BPF_PROG_LOAD) — it loads (and is closed) or fails
/// with one of the runtime's typed errors (<see cref="LoadException"/>, <see cref="BpfException"/> and its verifier and
/// BTF kinds, <see cref="CoreRelocationException"/>), never another exception, never a message showing a .NET exception.</summary>
public class LoaderFuzzTests(ITestOutputHelper output)
{
    /// <summary>Mutants whose maps would take more kernel memory than this are read but not loaded (a mutated max_entries
    /// asks for gigabytes; the kernel refuses or, worse, grants it); the reader's checks still run on them.</summary>
    const long MaxMapBytes = 64L << 20;
    const int LoadEvery = 4;

    [SkippableFact]
    public void Mutated_objects_load_or_fail_with_the_runtimes_typed_errors()
    {
        Kernel.RequireBpf();
        int count = FuzzBudget.Objects;
        var outcomes = new ConcurrentDictionary<string, int>();
        int readable = 0;
        var pins = Directory.CreateDirectory($"/sys/fs/bpf/ebpf-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]).FullName;
        var clock = Stopwatch.StartNew();
        try
        {
            FuzzRun.Each(ObjectMutant.Any, count, mutant =>
            {
                var spec = ReadOrNull(mutant.Bytes());
                string outcome = spec is null ? "refused by the reader"
                    : Interlocked.Increment(ref readable) % LoadEvery != 0 ? "read, not loaded (not a 4th)"
                    : MapBytes(spec) > MaxMapBytes ? "read, not loaded (maps too large)"
                    : Load(spec, pins, mutant.ToString());
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            });
        }
        finally
        {
            // Mutated pinning flags pin maps by name under this directory: unpin them with it.
            foreach (var pin in Directory.GetFiles(pins)) File.Delete(pin);
            Directory.Delete(pins);
        }
        output.WriteLine($"{count} mutants in {clock.Elapsed.TotalSeconds:F1} s on {FuzzBudget.Threads} threads");
        foreach (var (outcome, n) in outcomes.OrderBy(o => o.Key)) output.WriteLine($"{n,6}  {outcome}");
        Assert.Equal(count, outcomes.Values.Sum());
        Assert.Contains(outcomes.Keys, k => k == "loaded");
        Assert.Contains(outcomes.Keys, k => k.StartsWith("load failed", StringComparison.Ordinal));
    }

    static ObjectSpec? ReadOrNull(byte[] bytes)
    {
        try { return ElfObjectReader.Read(bytes, "x.o"); }
        catch (ObjectFormatException) { return null; }   // the reader's messages are ObjectFuzzTests' subject
    }

    static long MapBytes(ObjectSpec spec)
        => spec.Maps.Concat(spec.Maps.Select(m => m.InnerMap).OfType<MapSpec>())
            .Sum(m => (long)m.MaxEntries * ((long)m.KeySize + m.ValueSize + 64))
           + spec.DataSections.Sum(d => (long)d.Size);

    /// <summary>"loaded" or "load failed: TypeName"; a failure for any other exception.</summary>
    static string Load(ObjectSpec spec, string pins, string what)
    {
        try
        {
            using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "fuzz", Maps = new MapOptions { PinPath = pins } });
            return "loaded";
        }
        catch (Exception e) when (e is LoadException or BpfException or CoreRelocationException)
        {
            // The first line says what failed; a verifier rejection goes on with the kernel's log (and names the
            // property that holds all of it), so only the first line is held to the rule.
            if (MessageRules.RuntimeWordIn(e.Message.Split('\n')[0]) is { } word)
                throw new Xunit.Sdk.XunitException($"{what}: the loader's {e.GetType().Name} message contains '{word}': {e.Message}");
            return $"load failed: {e.GetType().Name}";
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{what}: the loader threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
    }
}
