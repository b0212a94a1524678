// CO-RE: on getppid(), reads current->real_parent->tgid and current->tgid and keeps the last pair in
// .bss. Vmlinux.g.cs is `ebpf gen vmlinux task_struct` (run.sh generates it).
using Ebpf;
using Vmlinux;

public struct NoArgs { public ushort CommonType; public byte CommonFlags; public byte CommonPreemptCount; public int CommonPid; public int SyscallNr; }

[BpfObject(License = "GPL")]
public static unsafe partial class CoreParentTgid
{
    static int ParentTgid;
    static int Tgid;

    [Tracepoint("syscalls", "sys_enter_getppid")]
    static int OnGetppid(in NoArgs args)
    {
        var task = (task_struct*)Bpf.GetCurrentTask();
        ParentTgid = task->real_parent->tgid;
        Tgid = task->tgid;
        return 0;
    }
}
