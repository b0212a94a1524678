// Copies a small record of each context switch (pids, priorities, cpu) to a ring buffer with bpf_ringbuf_output.
using System.Runtime.InteropServices;
using Ebpf;

[StructLayout(LayoutKind.Sequential)]
public unsafe struct SchedSwitchArgs
{
    public ushort CommonType; public byte CommonFlags; public byte CommonPreemptCount; public int CommonPid;
    public fixed byte PrevComm[16]; public int PrevPid; public int PrevPrio; public long PrevState;
    public fixed byte NextComm[16]; public int NextPid; public int NextPrio;
}

public struct SwitchEvent { public uint PrevPid; public uint NextPid; public int PrevPrio; public int NextPrio; public uint Cpu; public uint Preempted; }

[BpfObject(License = "GPL")]
public static partial class TpRingbufOutput
{
    static readonly RingBuffer Switches = new(sizeBytes: 256 * 1024);

    [Tracepoint("sched", "sched_switch")]
    static int OnSwitch(in SchedSwitchArgs args)
    {
        var e = new SwitchEvent
        {
            PrevPid = (uint)args.PrevPid, NextPid = (uint)args.NextPid,
            PrevPrio = args.PrevPrio, NextPrio = args.NextPrio,
            Cpu = Bpf.GetSmpProcessorId(), Preempted = args.PrevState == 0 ? 1u : 0u,
        };
        Switches.Output(e);
        return 0;
    }
}
