// CO-RE in a raw tracepoint: for each exec, sends pid, tgid, the parent's tgid and the command name
// read from task_struct through a ring buffer. Vmlinux.g.cs is `ebpf gen vmlinux task_struct`.
using System.Runtime.CompilerServices;
using Ebpf;
using Vmlinux;

public unsafe struct TaskInfo { public uint Pid; public uint Tgid; public uint Ppid; public fixed byte Comm[16]; }

[BpfObject(License = "GPL")]
public static unsafe partial class CoreTaskInfo
{
    static readonly RingBuffer Tasks = new(sizeBytes: 64 * 1024);

    [RawTracepoint("sched_process_exec")]
    static int OnExec(RawTracepointContext ctx)
    {
        var task = (task_struct*)Bpf.GetCurrentTask();
        ref TaskInfo info = ref Tasks.Reserve<TaskInfo>();
        if (Unsafe.IsNullRef(ref info)) return 0;
        info.Pid = (uint)task->pid;
        info.Tgid = (uint)task->tgid;
        info.Ppid = (uint)task->real_parent->tgid;
        fixed (byte* comm = info.Comm) Bpf.ProbeReadKernel(comm, 16, task->comm);
        Tasks.Submit(ref info);
        return 0;
    }
}
