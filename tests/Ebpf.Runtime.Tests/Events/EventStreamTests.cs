using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Tests.Events;

/// <summary>Ring and perf buffers fed by a clang-built producer: a syscall program run with BPF_PROG_TEST_RUN emits an
/// exact number of records; exec tracepoints report real execs.</summary>
public class EventStreamTests
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Event
    {
        public uint Seq;
        public uint Pid;
        public ulong Payload;
    }

    static readonly Lazy<string> ObjectPath = new(() =>
        ClangBpf.CompileFile(Path.Combine(RepoPaths.Root, "tests", "Ebpf.Runtime.Tests", "Reference", "events.bpf.c")));

    static Collection Load() => Collection.Load(ElfObjectReader.ReadFile(ObjectPath.Value), new CollectionOptions { ObjectName = "events" });

    static void Emit(Collection c, uint count, bool toPerf = false, bool noWakeup = false)
    {
        if (toPerf)
        {
            // A raw_tp program takes its arguments as u64s; like a syscall program it refuses a ctx-out buffer.
            var rawArgs = new byte[8];
            BitConverter.TryWriteBytes(rawArgs, (ulong)count);
            Assert.Equal(0u, c.GetProgram("emit_perf").TestRun(new TestRunOptions { Context = rawArgs }).ReturnValue);
            return;
        }
        var args = new byte[8];
        BitConverter.TryWriteBytes(args.AsSpan(0), count);
        BitConverter.TryWriteBytes(args.AsSpan(4), noWakeup ? 1u : 0u);
        var result = c.GetProgram("emit").TestRun(new TestRunOptions { Context = args });   // a syscall program: no ctx-out size needed
        Assert.Equal(0u, result.ReturnValue);
        Assert.Equal(args, result.Context);
    }

    [SkippableFact]
    public void Perf_event_array_with_max_entries_zero_gets_one_slot_per_possible_cpu()
    {
        Kernel.RequireBpf();
        using var c = Load();
        Assert.Equal((uint)PossibleCpus.Count, c.GetMap("pb").MaxEntries);
        Assert.Equal((uint)PossibleCpus.Count, c.GetMap("pb").GetInfo().MaxEntries);
    }

    [SkippableFact]
    public void Ring_buffer_records_read_in_place_as_spans_typed_refs_and_struct_handlers()
    {
        Kernel.RequireBpf();
        using var c = Load();
        using var reader = new RingBufferReader(c.GetMap("rb"));
        Emit(c, 100);
        uint expected = 0;
        foreach (ref readonly var e in reader.Records<Event>())
        {
            Assert.Equal(expected, e.Seq);
            Assert.Equal(expected * 3UL, e.Payload);
            expected++;
        }
        Assert.Equal(100u, expected);
        Assert.Equal(0UL, reader.AvailableBytes);

        // 3 x 1000 records of 24 bytes wrap the 64 KiB ring several times; the struct handler sees them all in order.
        var handler = new SeqChecker();
        for (int round = 0; round < 3; round++)
        {
            Emit(c, 1000, noWakeup: true);
            Assert.Equal(1000, reader.Consume(ref handler));
        }
        Assert.Equal(3000, handler.Count);
        Assert.True(handler.InOrder);

        Emit(c, 10);
        int spans = 0;
        foreach (var record in reader.Records())
        {
            Assert.Equal(16, record.Length);
            spans++;
        }
        Assert.Equal(10, spans);
    }

    struct SeqChecker : IRecordHandler
    {
        public int Count;
        public bool InOrder;
        uint _next;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            uint seq = MemoryMarshal.Read<uint>(record);
            if (Count == 0) InOrder = true;
            if (seq != _next) InOrder = false;
            _next = seq + 1 == 1000 ? 0 : seq + 1;
            Count++;
        }
    }

    [SkippableFact]
    public void Ring_buffer_record_shorter_than_the_type_is_refused()
    {
        Kernel.RequireBpf();
        using var c = Load();
        using var reader = new RingBufferReader(c.GetMap("rb"));
        Emit(c, 1);
        var e = Assert.Throws<RecordSizeException>(() => { foreach (ref readonly var _ in reader.Records<(Event, Event)>()) { } });
        Assert.Contains("16 bytes", e.Message);
        Assert.Equal(0UL, reader.AvailableBytes);                          // the bad record counts as consumed
    }

    [SkippableFact]
    public void Poller_waits_on_several_rings_with_one_epoll()
    {
        Kernel.RequireTracefs();
        using var c = Load();
        using var poller = new RingBufferPoller();
        var fromEmit = new List<uint>();
        var fromExec = new List<uint>();
        poller.Add(c.GetMap("rb"), r => fromEmit.Add(MemoryMarshal.Read<uint>(r)));
        poller.Add(c.GetMap("exec_rb"), r => fromExec.Add(MemoryMarshal.Read<Event>(r).Pid));
        Assert.Equal(0, poller.Poll(TimeSpan.Zero));
        Emit(c, 5);
        Assert.Equal(5, poller.Poll(TimeSpan.FromSeconds(5)));
        Assert.Equal([0u, 1, 2, 3, 4], fromEmit);

        using (c.GetProgram("on_exec").Attach())
        {
            using var child = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
            child.WaitForExit();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!fromExec.Contains((uint)child.Id) && DateTime.UtcNow < deadline) poller.Poll(TimeSpan.FromMilliseconds(200));
            Assert.Contains((uint)child.Id, fromExec);
        }
    }

    [SkippableFact]
    public async Task Ring_buffer_as_async_stream()
    {
        Kernel.RequireBpf();
        using var c = Load();
        using var reader = new RingBufferReader(c.GetMap("rb"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var producer = Task.Run(async () => { await Task.Delay(50); Emit(c, 30); });
        var seen = new List<uint>();
        await foreach (var e in reader.ReadAllAsync<Event>(cts.Token))
        {
            seen.Add(e.Seq);
            if (seen.Count == 30) break;
        }
        await producer;
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (uint)i), seen);
    }

    [SkippableFact]
    public void Perf_buffer_delivers_samples_per_cpu_counts_lost_ones_and_reassembles_wrapped_records()
    {
        Kernel.RequireBpf();
        using var c = Load();
        // One page per CPU: 4096 bytes hold 4096 / 32 = 128 records of 32 bytes (8 header + 4 size + 20 raw).
        using var reader = new PerfBufferReader(c.GetMap("pb"), new PerfBufferOptions { PagesPerCpu = 1 });
        Assert.Equal(PossibleCpus.Online, reader.Cpus);

        var seqs = new List<uint>();
        ulong lostSeen = 0;
        for (int round = 0; round < 5; round++)
        {
            Emit(c, 100, toPerf: true);                                   // 3200 bytes: rounds 2+ wrap the page
            reader.Drain((cpu, sample) =>
            {
                Assert.Equal(20, sample.Length);                            // 16 bytes of event + kernel padding to 4 mod 8
                seqs.Add(MemoryMarshal.Read<uint>(sample));
            }, (cpu, lost) => lostSeen += lost);
        }
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (uint)(i % 100)), seqs);
        Assert.Equal(0UL, reader.LostSamples);

        Emit(c, 300, toPerf: true);                                       // more than a page: the kernel drops the rest
        int read = reader.Drain((_, _) => { }, (cpu, lost) => lostSeen += lost);
        Assert.True(read < 300);
        Emit(c, 1, toPerf: true);                                         // the kernel writes PERF_RECORD_LOST once there is room
        read += reader.Drain((_, _) => { }, (cpu, lost) => lostSeen += lost);
        Assert.Equal(301UL, (ulong)read + reader.LostSamples);
        Assert.Equal(reader.LostSamples, lostSeen);
    }

    [SkippableFact]
    public void Perf_buffer_sample_straddling_the_ring_end_arrives_whole_through_both_handlers()
    {
        Kernel.RequireBpf();
        using var c = Load();
        using var reader = new PerfBufferReader(c.GetMap("pb"), new PerfBufferOptions { PagesPerCpu = 1 });
        void EmitOnCpu0(uint count)
        {
            var rawArgs = new byte[8];
            BitConverter.TryWriteBytes(rawArgs, (ulong)count);
            c.GetProgram("emit_perf").TestRun(new TestRunOptions { Context = rawArgs, Flags = 1, Cpu = 0 });   // BPF_F_TEST_RUN_ON_CPU
        }

        // 127 samples of 32 bytes fill the page (the kernel keeps one byte free); the next 73 are dropped. The next
        // sample follows a 24-byte PERF_RECORD_LOST at 4064, so it spans 4088..4120, and from then on samples start at
        // 24 mod 32: one of every 128 runs past the page's end.
        EmitOnCpu0(200);
        Assert.Equal(127, reader.Drain((_, _) => { }));
        EmitOnCpu0(1);
        var first = new List<Event>();
        Assert.Equal(1, reader.Drain((_, sample) => first.Add(MemoryMarshal.Read<Event>(sample))));
        Assert.Equal((0u, 7u, 0UL), (first[0].Seq, first[0].Pid, first[0].Payload));
        Assert.Equal(73UL, reader.LostSamples);

        EmitOnCpu0(100);                                                  // offsets 24 to 3224: in place
        var checker = new EventChecker();
        Assert.Equal(100, reader.Consume(ref checker));
        EmitOnCpu0(100);                                                  // the 28th sample spans 4088..4120
        Assert.Equal(100, reader.Consume(ref checker));
        Assert.Equal(200, checker.Count);
        Assert.True(checker.AllIntact);

        EmitOnCpu0(120);                                                  // from 2328: the 56th spans the end, read by the delegate handler
        var seqs = new List<uint>();
        Assert.Equal(120, reader.Drain((_, sample) =>
        {
            var e = MemoryMarshal.Read<Event>(sample);
            Assert.Equal((7u, e.Seq * 3UL), (e.Pid, e.Payload));
            seqs.Add(e.Seq);
        }));
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (uint)i), seqs);
        Assert.Equal(73UL, reader.LostSamples);
    }

    /// <summary>Checks each sample is whole: sequence numbers 0..99 in order per emit, payload 3 x seq, pid 7.</summary>
    struct EventChecker : IRecordHandler
    {
        public int Count;
        public bool AllIntact;

        public void OnRecord(ReadOnlySpan<byte> record)
        {
            var e = MemoryMarshal.Read<Event>(record);
            if (Count == 0) AllIntact = true;
            if (record.Length != 20 || e.Seq != (uint)(Count % 100) || e.Pid != 7 || e.Payload != e.Seq * 3UL) AllIntact = false;
            Count++;
        }
    }

    [SkippableFact]
    public void Perf_buffer_reports_execs_and_streams_typed_values()
    {
        Kernel.RequireTracefs();
        using var c = Load();
        using var reader = new PerfBufferReader(c.GetMap("exec_pb"));
        using var link = c.GetProgram("on_exec").Attach();
        using var child = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        child.WaitForExit();
        var pids = new List<uint>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!pids.Contains((uint)child.Id) && DateTime.UtcNow < deadline)
            reader.Poll((cpu, s) => pids.Add(MemoryMarshal.Read<Event>(s).Pid), TimeSpan.FromMilliseconds(200));
        Assert.Contains((uint)child.Id, pids);
    }
}
