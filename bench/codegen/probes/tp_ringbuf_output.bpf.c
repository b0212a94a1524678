// Copies a small record of each context switch (pids, priorities, cpu) to a ring buffer with bpf_ringbuf_output.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sched_switch_args {
    unsigned short common_type; unsigned char common_flags; unsigned char common_preempt_count; int common_pid;
    char prev_comm[16]; int prev_pid; int prev_prio; long prev_state; char next_comm[16]; int next_pid; int next_prio;
};

struct switch_event { __u32 prev_pid; __u32 next_pid; __s32 prev_prio; __s32 next_prio; __u32 cpu; __u32 preempted; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 256 * 1024); } Switches SEC(".maps");

SEC("tracepoint/sched/sched_switch")
int OnSwitch(struct sched_switch_args *args)
{
    struct switch_event e = {
        .prev_pid = args->prev_pid, .next_pid = args->next_pid,
        .prev_prio = args->prev_prio, .next_prio = args->next_prio,
        .cpu = bpf_get_smp_processor_id(), .preempted = args->prev_state == 0,
    };
    bpf_ringbuf_output(&Switches, &e, sizeof(e), 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
