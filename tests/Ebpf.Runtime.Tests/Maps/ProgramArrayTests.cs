namespace Ebpf.Runtime.Tests.Maps;

public class ProgramArrayTests
{
    [SkippableFact]
    public void Tail_calls_jump_to_the_program_in_the_slot_and_fall_through_when_empty()
    {
        Kernel.RequireBpf();
        var spec = new ObjectSpec();
        spec.Maps.Add(new MapSpec { Name = "Jumps", Type = MapType.ProgArray, KeySize = 4, ValueSize = 4, MaxEntries = 4 });
        spec.Programs.Add(new ProgramBuilder("Dispatch", ProgramType.Xdp, "xdp", AttachType.Xdp)
            .LoadMap(R2, "Jumps")
            .Emit(Insn.Mov64(R3, 2))
            .Helper(12)                                                    // bpf_tail_call(ctx, &Jumps, 2)
            .Emit(Insn.Mov64(R0, 2))                                       // fell through: XDP_PASS
            .Emit(Insn.Exit())
            .Build());
        spec.Programs.Add(new ProgramBuilder("Drop", ProgramType.Xdp, "xdp", AttachType.Xdp).Emit(Insn.Mov64(R0, 1)).Emit(Insn.Exit()).Build());
        spec.Programs.Add(new ProgramBuilder("Counter", ProgramType.SocketFilter, "socket").Emit(Insn.Mov64(R0, 0)).Emit(Insn.Exit()).Build());
        using var collection = Collection.Load(spec);
        var dispatch = collection.GetProgram("Dispatch");
        var jumps = collection.GetMap("Jumps").AsProgramArray();
        var packet = Packets.Ipv4(Packets.ProtocolUdp);

        Assert.Equal(2u, dispatch.TestRun(packet).ReturnValue);
        Assert.Null(jumps.ProgramIdAt(2));
        jumps.Set(2, collection.GetProgram("Drop"));
        Assert.Equal(collection.GetProgram("Drop").GetInfo().Id, jumps.ProgramIdAt(2));
        Assert.Equal(1u, dispatch.TestRun(packet).ReturnValue);
        Assert.True(jumps.Clear(2));
        Assert.False(jumps.Clear(2));
        Assert.Equal(2u, dispatch.TestRun(packet).ReturnValue);

        var wrongType = Assert.Throws<BpfException>(() => jumps.Set(1, collection.GetProgram("Counter")));
        Assert.Contains("share the program type", wrongType.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => jumps.Set(4, dispatch));
    }
}
