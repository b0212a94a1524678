// Sends an event per exec (pid, parent-visible old pid, time, command name) through a ring buffer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sched_process_exec_args {
    unsigned short common_type; unsigned char common_flags; unsigned char common_preempt_count; int common_pid;
    unsigned int filename_loc; int pid; int old_pid;
};

struct exec_event { __u64 timestamp; __u32 pid; __u32 old_pid; char comm[16]; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } Events SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int OnExec(struct sched_process_exec_args *args)
{
    struct exec_event *e = bpf_ringbuf_reserve(&Events, sizeof(*e), 0);
    if (!e) return 0;
    e->timestamp = bpf_ktime_get_ns();
    e->pid = args->pid;
    e->old_pid = args->old_pid;
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
