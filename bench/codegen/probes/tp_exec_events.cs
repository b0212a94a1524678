// Sends an event per exec (pid, parent-visible old pid, time, command name) through a ring buffer.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ebpf;

[StructLayout(LayoutKind.Sequential)]
public struct SchedProcessExecArgs
{
    public ushort CommonType; public byte CommonFlags; public byte CommonPreemptCount; public int CommonPid;
    public uint FilenameLocation; public int Pid; public int OldPid;
}

public unsafe struct ExecEvent { public ulong Timestamp; public uint Pid; public uint OldPid; public fixed byte Comm[16]; }

[BpfObject(License = "GPL")]
public static unsafe partial class TpExecEvents
{
    static readonly RingBuffer Events = new(sizeBytes: 256 * 1024);

    [Tracepoint("sched", "sched_process_exec")]
    static int OnExec(in SchedProcessExecArgs args)
    {
        ref ExecEvent e = ref Events.Reserve<ExecEvent>();
        if (Unsafe.IsNullRef(ref e)) return 0;
        e.Timestamp = Bpf.KtimeGetNs();
        e.Pid = (uint)args.Pid;
        e.OldPid = (uint)args.OldPid;
        fixed (byte* comm = e.Comm) Bpf.GetCurrentComm(comm, 16);
        Events.Submit(ref e);
        return 0;
    }
}
