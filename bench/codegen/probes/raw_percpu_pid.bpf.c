// raw_tp/sched_switch: counts how often each thread is switched out, in a per-CPU hash map, with
// a time stamp of the last switch.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct switch_stats { __u64 count; __u64 last_ns; };

struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 8192); __type(key, __u32); __type(value, struct switch_stats); } Switches SEC(".maps");

SEC("raw_tp/sched_switch")
int OnSwitch(struct bpf_raw_tracepoint_args *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    __u64 now = bpf_ktime_get_ns();
    struct switch_stats *stats = bpf_map_lookup_elem(&Switches, &tid);
    if (stats) {
        stats->count++;
        stats->last_ns = now;
        return 0;
    }
    struct switch_stats first = { .count = 1, .last_ns = now };
    bpf_map_update_elem(&Switches, &tid, &first, BPF_NOEXIST);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
