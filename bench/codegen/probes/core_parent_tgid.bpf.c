// CO-RE: on getppid(), reads current->real_parent->tgid and current->tgid (BPF_CORE_READ) and keeps
// the last pair in .bss.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct { int pid; int tgid; struct task_struct *real_parent; } __attribute__((preserve_access_index));

int ParentTgid = 0;
int Tgid = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int OnGetppid(void *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    ParentTgid = BPF_CORE_READ(task, real_parent, tgid);
    Tgid = BPF_CORE_READ(task, tgid);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
