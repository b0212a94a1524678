using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>Map methods, ring buffers, queues and packet writes compiled by the code generator, run
/// with BPF_PROG_TEST_RUN and checked from user space through the runtime's maps.</summary>
public class MapAndHelperKernelTests
{
    [StructLayout(LayoutKind.Sequential)]
    struct Event { public long A; public long B; public uint Kind; public uint Pad; }

    const string Source = """
        using System.Runtime.CompilerServices;
        using System.Threading;
        using Ebpf;

        public struct Input { public long A; public long B; }
        public struct Key { public uint Pid; public byte Kind; public ushort Port; }
        public struct Stat { public ulong Count; public ulong Bytes; }
        public struct Event { public long A; public long B; public uint Kind; public uint Pad; }
        public unsafe struct Histogram { public fixed ulong Buckets[8]; public fixed uint Small[4]; }

        [BpfObject]
        public static partial class Maps
        {
            static readonly HashMap<Key, Stat> Stats = new(maxEntries: 16);
            static readonly ArrayMap<ulong> Slots = new(maxEntries: 4);
            static readonly RingBuffer Events = new(sizeBytes: 4096);
            static readonly QueueMap<uint> Queue = new(maxEntries: 8);

            [Xdp]
            static XdpAction Count(XdpContext ctx)
            {
                if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                var key = new Key { Pid = (uint)input.A, Kind = (byte)input.B, Port = 7 };
                if (Stats.TryGetValue(key, out Stat s)) s.Count++;
                else s.Count = 100;
                s.Bytes += (ulong)input.B;
                Stats.Update(key, s);
                if (input.B == 0) Stats.Delete(key);

                ref ulong slot = ref Slots.Lookup((uint)(input.A & 3));
                if (!Unsafe.IsNullRef(ref slot)) slot += 10;
                if (Slots.TryGetValue(5, out ulong missing)) return XdpAction.Aborted; // out of range: absent
                Queue.Push((uint)input.A);
                return XdpAction.Pass;
            }

            [Xdp]
            static XdpAction Publish(XdpContext ctx)
            {
                if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                ref Event e = ref Events.Reserve<Event>();
                if (Unsafe.IsNullRef(ref e)) return XdpAction.Drop;
                e.A = input.A;
                e.B = input.B;
                e.Kind = 1;
                Events.Submit(ref e);
                var copy = new Event { A = -input.A, B = -input.B, Kind = 2 };
                Events.Output(copy);
                return XdpAction.Pass;
            }

            static readonly ArrayMap<Histogram> Histograms = new(maxEntries: 1);

            /// <summary>Variable indexes into a map value, bounded by a mask and by a comparison.</summary>
            [Xdp]
            static unsafe XdpAction Histogram(XdpContext ctx)
            {
                if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                ref Histogram h = ref Histograms.Lookup(0);
                if (Unsafe.IsNullRef(ref h)) return XdpAction.Aborted;
                int bucket = (int)(input.A & 7);
                fixed (ulong* buckets = h.Buckets) buckets[bucket]++;
                uint slot = (uint)input.B;
                if (slot < 4) h.Small[(int)slot] += 10;
                return XdpAction.Pass;
            }

            [Xdp]
            static XdpAction Rewrite(XdpContext ctx)
            {
                if (!ctx.TryRead(0, out Input input)) return XdpAction.Aborted;
                var swapped = new Input { A = input.B, B = input.A + 1 };
                return ctx.TryWrite(0, swapped) && !ctx.TryWrite(1000, swapped) ? XdpAction.Tx : XdpAction.Aborted;
            }
        }
        """;

    static byte[] Packet(long a, long b)
    {
        var p = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(p, a);
        BinaryPrimitives.WriteInt64LittleEndian(p.AsSpan(8), b);
        return p;
    }

    static byte[] KeyBytes(uint pid, byte kind)
    {
        var k = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(k, pid);
        k[4] = kind;
        BinaryPrimitives.WriteUInt16LittleEndian(k.AsSpan(6), 7);
        return k;
    }

    [SkippableFact]
    public void Hash_array_and_queue_maps()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Maps.cs");
        Assert.Equal(2u, probe.RunXdp("Count", Packet(41, 5)));
        Assert.Equal(2u, probe.RunXdp("Count", Packet(41, 5)));
        Assert.Equal(2u, probe.RunXdp("Count", Packet(42, 0)));

        var stats = probe.Collection.Maps["Stats"];
        var value = stats.Lookup(KeyBytes(41, 5)) ?? throw new Xunit.Sdk.XunitException("key (41, 5) missing: padding bytes of the key not zeroed?");
        Assert.Equal(101UL, BinaryPrimitives.ReadUInt64LittleEndian(value));
        Assert.Equal(10UL, BinaryPrimitives.ReadUInt64LittleEndian(value.AsSpan(8)));
        Assert.Null(stats.Lookup(KeyBytes(42, 0))); // deleted

        var slots = probe.Collection.Maps["Slots"];
        Assert.Equal(20UL, BinaryPrimitives.ReadUInt64LittleEndian(slots.Lookup(BitConverter.GetBytes(1u))!)); // 41 & 3
        Assert.Equal(10UL, BinaryPrimitives.ReadUInt64LittleEndian(slots.Lookup(BitConverter.GetBytes(2u))!)); // 42 & 3

        var queue = probe.Collection.Maps["Queue"];
        var popped = new List<uint>();
        var buffer = new byte[4];
        while (queue.TryLookupAndDelete(ReadOnlySpan<byte>.Empty, buffer)) popped.Add(BinaryPrimitives.ReadUInt32LittleEndian(buffer));
        Assert.Equal(new uint[] { 41, 41, 42 }, popped);
    }

    [SkippableFact]
    public void Ring_buffer_reserve_submit_and_output()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Maps.cs");
        Assert.Equal(2u, probe.RunXdp("Publish", Packet(7, -9)));
        using var reader = new RingBufferReader(probe.Collection.Maps["Events"]);
        var events = new List<Event>();
        reader.Drain<Event>(events.Add);
        Assert.Equal(2, events.Count);
        Assert.Equal((7L, -9L, 1u), (events[0].A, events[0].B, events[0].Kind));
        Assert.Equal((-7L, 9L, 2u), (events[1].A, events[1].B, events[1].Kind));
    }

    [SkippableFact]
    public void Variable_indexes_into_a_map_value()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Maps.cs");
        foreach (var (a, b) in new (long, long)[] { (3, 1), (11, 1), (5, 9), (7, 3) })
            Assert.Equal(2u, probe.RunXdp("Histogram", Packet(a, b)));
        var value = probe.Collection.Maps["Histograms"].Lookup(new byte[4])!;
        var buckets = Enumerable.Range(0, 8).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(value.AsSpan(i * 8))).ToArray();
        var small = Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(64 + i * 4))).ToArray();
        Assert.Equal(new ulong[] { 0, 0, 0, 2, 0, 1, 0, 1 }, buckets);
        Assert.Equal(new uint[] { 0, 20, 0, 10 }, small);
    }

    [SkippableFact]
    public void Packet_write_is_bounds_checked()
    {
        Kernel.RequireBpf();
        using var probe = LoadedProbe.Load(Source, "Maps.cs");
        var result = probe.Program("Rewrite").TestRun(Packet(3, 4));
        Assert.Equal(3u, result.ReturnValue); // XDP_TX
        Assert.Equal(4L, BinaryPrimitives.ReadInt64LittleEndian(result.Data));
        Assert.Equal(4L, BinaryPrimitives.ReadInt64LittleEndian(result.Data.AsSpan(8)));
    }

    /// <summary>Bpf.Printk with a literal format and integer arguments widened by their own sign, read
    /// back from the trace buffer.</summary>
    [SkippableFact]
    public void Printk_writes_its_format_and_arguments_to_the_trace_buffer()
    {
        Kernel.RequireTracefs();
        int marker = Random.Shared.Next(100000, 999999);
        string source = $$"""
            using Ebpf;
            public struct Args { public ulong Common; public long Dfd; }
            [BpfObject]
            public static partial class Tracer
            {
                static readonly uint TargetPid;
                [Tracepoint("syscalls", "sys_enter_openat")]
                static int Run(in Args args)
                {
                    if ((uint)(Bpf.GetCurrentPidTgid() >> 32) != TargetPid) return 0;
                    int negative = -{{marker}};
                    Bpf.Printk("codegen {{marker}} %d %ld %u", negative, (long)negative, (byte)200);
                    return 0;
                }
            }
            """;
        using var probe = LoadedProbe.Load(source, "Tracer.cs", spec => spec.SetVariable("TargetPid", (uint)Environment.ProcessId));
        var file = Path.GetTempFileName();
        try
        {
            using (probe.Program("Run").Attach()) File.ReadAllBytes(file);
            var trace = File.ReadAllText("/sys/kernel/tracing/trace");
            Assert.Contains($"codegen {marker} -{marker} -{marker} 200", trace);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
