// Run-queue latency: the wakeup time per pid in a hash map; at the switch-in, the delay goes into a
// log2 histogram (a bounded loop) in an array map.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sched_wakeup_args {
    unsigned short common_type; unsigned char common_flags; unsigned char common_preempt_count; int common_pid;
    char comm[16]; int pid; int prio; int target_cpu;
};
struct sched_switch_args {
    unsigned short common_type; unsigned char common_flags; unsigned char common_preempt_count; int common_pid;
    char prev_comm[16]; int prev_pid; int prev_prio; long prev_state; char next_comm[16]; int next_pid; int next_prio;
};

#define SLOTS 32

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, __u32); __type(value, __u64); } WakeTimes SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, SLOTS); __type(key, __u32); __type(value, __u64); } Histogram SEC(".maps");

SEC("tracepoint/sched/sched_wakeup")
int OnWakeup(struct sched_wakeup_args *args)
{
    __u32 pid = args->pid;
    __u64 now = bpf_ktime_get_ns();
    bpf_map_update_elem(&WakeTimes, &pid, &now, BPF_ANY);
    return 0;
}

SEC("tracepoint/sched/sched_switch")
int OnSwitch(struct sched_switch_args *args)
{
    __u32 pid = args->next_pid;
    __u64 *woken = bpf_map_lookup_elem(&WakeTimes, &pid);
    if (!woken) return 0;
    __u64 delta = (bpf_ktime_get_ns() - *woken) / 1000;
    bpf_map_delete_elem(&WakeTimes, &pid);
    __u32 slot = 0;
    for (int i = 0; i < SLOTS - 1; i++) {
        if (delta <= 1) break;
        delta >>= 1;
        slot++;
    }
    __u64 *count = bpf_map_lookup_elem(&Histogram, &slot);
    if (count) __sync_fetch_and_add(count, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
