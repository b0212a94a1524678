// raw_tp/sys_enter: counts system calls per number (array map, atomic add), optionally for one
// process group given in .rodata.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_SYSCALLS 512

const volatile __u32 TargetTgid = 0;

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, MAX_SYSCALLS); __type(key, __u32); __type(value, __u64); } Calls SEC(".maps");

SEC("raw_tp/sys_enter")
int OnSysEnter(struct bpf_raw_tracepoint_args *ctx)
{
    if (TargetTgid != 0 && (bpf_get_current_pid_tgid() >> 32) != TargetTgid) return 0;
    __u32 id = ctx->args[1];
    __u64 *count = bpf_map_lookup_elem(&Calls, &id);
    if (count) __sync_fetch_and_add(count, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
