using System.Reflection;
using System.Runtime.InteropServices;
using Ebpf.Compiler.Tests.Pipeline;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>A user ring buffer end to end: user space produces samples into the map's shared memory with our runtime's
/// <see cref="UserRingBufferWriter"/>, a program drains them with <c>bpf_user_ringbuf_drain</c> and a C# callback
/// reading each sample through its dynptr, and the totals equal the same C# run on the managed ring.</summary>
public class UserRingBufferKernelTests
{
    const string Source = """
        using System.Runtime.CompilerServices;
        using Ebpf;

        public struct Request { public uint Id; public uint Weight; public long Amount; }
        public struct Totals { public long Sum; public long Count; public long Short; public long LastId; }

        [BpfObject(License = "GPL")]
        public static partial class Requests
        {
            static readonly UserRingBuffer Incoming = new(sizeBytes: 4096);
            static long Sum, Count, Short, LastId, Drained;

            // Stops after the request with id 99: the rest waits for the next drain.
            public static void DrainOnce()
            {
                var totals = new Totals();
                Drained = Incoming.Drain(static (ref Dynptr sample, ref Totals t) =>
                {
                    if (Dynptr.Read(out Request request, in sample) != 0) { t.Short++; return 0; }
                    t.Sum += request.Amount * request.Weight;
                    t.Count++;
                    ref Request inPlace = ref Dynptr.Data<Request>(in sample);
                    if (Unsafe.IsNullRef(ref inPlace)) return 1;
                    t.LastId = inPlace.Id;
                    return inPlace.Id == 99 ? 1 : 0;
                }, ref totals);
                Sum = totals.Sum;
                Count = totals.Count;
                Short = totals.Short;
                LastId = totals.LastId;
            }

            [Xdp]
            static XdpAction Run(XdpContext ctx)
            {
                DrainOnce();
                return XdpAction.Pass;
            }
        }
        """;

    static readonly string[] Globals = { "Drained", "Sum", "Count", "Short", "LastId" };

    [StructLayout(LayoutKind.Sequential)]
    struct Request { public uint Id; public uint Weight; public long Amount; }

    /// <summary>40 samples: requests with ids 1..40 (one with id 99 at 26 stops the first drain) and a 4-byte sample at 10
    /// that is too short for a request.</summary>
    static IEnumerable<byte[]> Samples()
    {
        for (uint i = 1; i <= 40; i++)
        {
            if (i == 10) { yield return new byte[] { 1, 2, 3, 4 }; continue; }
            var request = new Request { Id = i == 26 ? 99u : i, Weight = i % 3 + 1, Amount = i * 1000L - 7 };
            yield return MemoryMarshal.AsBytes(new ReadOnlySpan<Request>(in request)).ToArray();
        }
    }

    [SkippableFact]
    public void Program_drains_what_user_space_wrote_and_its_totals_equal_the_dotnet_ones()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Requests.cs");
        var type = TestCompilations.EmitAndLoad(TestCompilations.Create(Source, "Requests.cs")).GetType("Requests")!;
        var managedRing = (UserRingBuffer)type.GetField("Incoming", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        var drainOnce = type.GetMethod("DrainOnce")!;

        using var writer = new UserRingBufferWriter(probe.Collection.Maps["Incoming"]);
        ulong free = writer.FreeBytes;
        foreach (var sample in Samples())
        {
            Assert.True(writer.TryWrite(sample));
            Assert.True(managedRing.TrySubmit(sample));
        }
        Assert.Equal(free - (ulong)Samples().Sum(s => (s.Length + 8 + 7) / 8 * 8), writer.FreeBytes);

        var rounds = new List<long[]>();
        foreach (var _ in new[] { "stops at id 99", "drains the rest", "finds nothing" })
        {
            drainOnce.Invoke(null, null);
            var expected = Globals.Select(g => (long)type.GetField(g, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!).ToArray();
            Assert.Equal((uint)XdpAction.Pass, probe.RunXdp("Run", new byte[64]));
            var actual = Globals.Select(g => probe.Global<long>(g)).ToArray();
            Assert.Equal(expected, actual);
            rounds.Add(actual);
        }
        // Drained, Sum, Count, Short, LastId: 26 samples (one short) up to id 99, then the 14 left, then none.
        long Weighted(IEnumerable<uint> ids) => ids.Sum(i => (i * 1000L - 7) * (i % 3 + 1));
        Assert.Equal(new long[] { 26, Weighted(Enumerable.Range(1, 26).Select(i => (uint)i).Where(i => i != 10)), 25, 1, 99 }, rounds[0]);
        Assert.Equal(new long[] { 14, Weighted(Enumerable.Range(27, 14).Select(i => (uint)i)), 14, 0, 40 }, rounds[1]);
        Assert.Equal(new long[] { 0, 0, 0, 0, 0 }, rounds[2]);
        Assert.Equal(free, writer.FreeBytes);
        Assert.Equal(0, managedRing.Count);
    }

    /// <summary>Five rounds of 100 samples of 24 bytes (header included) through a 4096-byte ring: from the second round
    /// on, samples straddle the end of the data area, which the double mapping makes contiguous for the writer.</summary>
    [SkippableFact]
    public void Samples_that_wrap_around_the_end_of_the_ring_arrive_whole()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Requests.cs");
        var type = TestCompilations.EmitAndLoad(TestCompilations.Create(Source, "Requests.cs")).GetType("Requests")!;
        var managedRing = (UserRingBuffer)type.GetField("Incoming", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        using var writer = new UserRingBufferWriter(probe.Collection.Maps["Incoming"]);
        for (uint round = 0; round < 5; round++)
        {
            for (uint i = 0; i < 100; i++)
            {
                var request = new Request { Id = 1000 + round * 100 + i, Weight = i % 5, Amount = (round + 1) * 1_000_003L - i };
                Assert.True(writer.TryWrite(in request));
                Assert.True(managedRing.TrySubmit(MemoryMarshal.AsBytes(new ReadOnlySpan<Request>(in request))));
            }
            type.GetMethod("DrainOnce")!.Invoke(null, null);
            var expected = Globals.Select(g => (long)type.GetField(g, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!).ToArray();
            Assert.Equal((uint)XdpAction.Pass, probe.RunXdp("Run", new byte[64]));
            Assert.Equal(expected, Globals.Select(g => probe.Global<long>(g)).ToArray());
            Assert.Equal(new long[] { 100, 100, 0, 1000 + round * 100 + 99 }, expected.Where((_, k) => Globals[k] != "Sum").ToArray());
        }
    }

    [SkippableFact]
    public void Writer_refuses_a_sample_larger_than_the_ring_and_a_map_that_is_not_a_user_ring_buffer()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Requests.cs");
        using var writer = new UserRingBufferWriter(probe.Collection.Maps["Incoming"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Reserve(4096));
        var discarded = writer.Reserve(16);
        Assert.Equal(16, discarded.Length);
        writer.Discard(discarded);
        bool refused = false;
        try { writer.Submit(discarded); } catch (ArgumentException) { refused = true; }
        Assert.True(refused, "a released sample was submitted again");
        // A discarded sample is skipped by the kernel, not handed to the callback.
        Assert.Equal((uint)XdpAction.Pass, probe.RunXdp("Run", new byte[64]));
        Assert.Equal(0, probe.Global<long>("Drained"));
        Assert.Equal(writer.DataSize, writer.FreeBytes);

        using var array = Map.Create(new Ebpf.Object.MapSpec { Name = "plain", Type = Ebpf.Object.MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 1 });
        Assert.Throws<ArgumentException>(() => new UserRingBufferWriter(array));
    }

    [Fact]
    public void Managed_ring_refuses_a_sample_when_full_and_drain_refuses_unknown_flags()
    {
        var ring = new UserRingBuffer(sizeBytes: 64);
        Assert.True(ring.TrySubmit(new byte[24]));   // 32 bytes with its header
        Assert.True(ring.TrySubmit(new byte[20]));   // 32
        Assert.False(ring.TrySubmit(new byte[1]));
        long none = 0;
        Assert.Equal(-22, ring.Drain(static (ref Dynptr sample, ref long n) => 0, ref none, flags: 4));
        Assert.Equal(2, ring.Drain(static (ref Dynptr sample, ref long n) => { n += sample.Size; return 0; }, ref none));
        Assert.Equal(44, none);
    }
}
