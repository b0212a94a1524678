// CO-RE in a raw tracepoint: for each exec, sends pid, tgid, the parent's tgid and the command name
// read from task_struct through a ring buffer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct { int pid; int tgid; struct task_struct *real_parent; char comm[16]; } __attribute__((preserve_access_index));

struct task_info { __u32 pid; __u32 tgid; __u32 ppid; char comm[16]; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 64 * 1024); } Tasks SEC(".maps");

SEC("raw_tp/sched_process_exec")
int OnExec(struct bpf_raw_tracepoint_args *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct task_info *info = bpf_ringbuf_reserve(&Tasks, sizeof(*info), 0);
    if (!info) return 0;
    info->pid = BPF_CORE_READ(task, pid);
    info->tgid = BPF_CORE_READ(task, tgid);
    info->ppid = BPF_CORE_READ(task, real_parent, tgid);
    BPF_CORE_READ_INTO(&info->comm, task, comm);
    bpf_ringbuf_submit(info, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
