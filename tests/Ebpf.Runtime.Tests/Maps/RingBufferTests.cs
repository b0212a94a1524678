using System.Buffers.Binary;

namespace Ebpf.Runtime.Tests.Maps;

public class RingBufferTests
{
    const uint Magic = 0xfeedbeef;

    /// <summary>XDP: bpf_ringbuf_output(&amp;Events, {Magic, packet length}, 8), then a 16-byte record reserved and discarded.</summary>
    static ObjectSpec Producer()
    {
        var spec = new ObjectSpec();
        spec.Maps.Add(new MapSpec { Name = "Events", Type = MapType.RingBuf, MaxEntries = (uint)Environment.SystemPageSize });
        spec.Programs.Add(new ProgramBuilder("Emit", ProgramType.Xdp, "xdp", AttachType.Xdp)
            .Emit(Insn.Load(MemSize.W, R2, R1, 0))
            .Emit(Insn.Load(MemSize.W, R3, R1, 4))
            .Emit(Insn.Alu64(AluOp.Sub, R3, R2))
            .Emit(Insn.StoreImm(MemSize.W, R10, -8, unchecked((int)Magic)))
            .Emit(Insn.Store(MemSize.W, R10, -4, R3))
            .LoadMap(R1, "Events")
            .Emit(Insn.Mov64(R2, R10))
            .Emit(Insn.Alu64(AluOp.Add, R2, -8))
            .Emit(Insn.Mov64(R3, 8))
            .Emit(Insn.Mov64(R4, 0))
            .Helper(130)                                                   // bpf_ringbuf_output
            .LoadMap(R1, "Events")
            .Emit(Insn.Mov64(R2, 16))
            .Emit(Insn.Mov64(R3, 0))
            .Helper(131)                                                   // bpf_ringbuf_reserve
            .Jump(Insn.Jump(JumpOp.Jeq, R0, 0), "out")
            .Emit(Insn.Mov64(R1, R0))
            .Emit(Insn.Mov64(R2, 0))
            .Helper(133)                                                   // bpf_ringbuf_discard
            .Label("out")
            .Emit(Insn.Mov64(R0, 2))
            .Emit(Insn.Exit())
            .Build());
        return spec;
    }

    [SkippableFact]
    public void Records_arrive_in_order_discarded_ones_are_skipped_and_the_ring_wraps()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(Producer());
        var program = collection.GetProgram("Emit");
        using var reader = new RingBufferReader(collection.GetMap("Events"));
        Assert.Equal((ulong)Environment.SystemPageSize, reader.DataSize);
        Assert.Empty(reader.ReadAvailable());

        // Each run writes 16 bytes (8 + 8) and a discarded 24 (8 + 16): 40 per run, so 3 rounds of 60 wrap a 4 KiB ring.
        int packetLength = 60;
        for (int round = 0; round < 3; round++)
        {
            var expected = new List<int>();
            for (int i = 0; i < 60; i++, packetLength++)
            {
                program.TestRun(new byte[packetLength]);
                expected.Add(packetLength);
            }
            Assert.Equal(60UL * 40, reader.AvailableBytes);
            var records = reader.ReadAvailable();
            Assert.All(records, r => Assert.Equal(8, r.Length));
            Assert.All(records, r => Assert.Equal(Magic, BinaryPrimitives.ReadUInt32LittleEndian(r)));
            Assert.Equal(expected, records.Select(r => (int)BinaryPrimitives.ReadUInt32LittleEndian(r.AsSpan(4))));
            Assert.Equal(0UL, reader.AvailableBytes);
        }
    }

    readonly record struct Event(uint Magic, uint Length);

    [SkippableFact]
    public void Typed_drain_and_waiting_for_data()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(Producer());
        var program = collection.GetProgram("Emit");
        using var reader = new RingBufferReader(collection.GetMap("Events"));

        Assert.False(reader.WaitForData(TimeSpan.Zero));
        program.TestRun(new byte[100]);
        program.TestRun(new byte[101]);
        Assert.True(reader.WaitForData(TimeSpan.FromSeconds(5)));
        var events = new List<Event>();
        Assert.Equal(2, reader.Drain<Event>(events.Add));
        Assert.Equal([new Event(Magic, 100), new Event(Magic, 101)], events);

        // A wake-up from another thread while waiting.
        var producer = new Thread(() => { Thread.Sleep(100); program.TestRun(new byte[77]); });
        producer.Start();
        int handled = reader.Poll(r => Assert.Equal(77u, BinaryPrimitives.ReadUInt32LittleEndian(r[4..])), TimeSpan.FromSeconds(10));
        producer.Join();
        Assert.Equal(1, handled);
    }

    [SkippableFact]
    public void A_throwing_handler_consumes_its_record()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(Producer());
        var program = collection.GetProgram("Emit");
        using var reader = new RingBufferReader(collection.GetMap("Events"));
        program.TestRun(new byte[64]);
        program.TestRun(new byte[65]);
        Assert.Throws<InvalidOperationException>(() => reader.Drain(_ => throw new InvalidOperationException("stop")));
        var rest = reader.ReadAvailable();
        Assert.Equal(65u, BinaryPrimitives.ReadUInt32LittleEndian(Assert.Single(rest).AsSpan(4)));
    }

    [SkippableFact]
    public void Only_ring_buffers_can_be_read()
    {
        Kernel.RequireBpf();
        using var map = Map.Create(new MapSpec { Name = "not_a_ring", Type = MapType.Array, KeySize = 4, ValueSize = 4, MaxEntries = 1 });
        var e = Assert.Throws<ArgumentException>(() => new RingBufferReader(map));
        Assert.StartsWith("map 'not_a_ring' has type array, not ringbuf", e.Message);
    }
}
