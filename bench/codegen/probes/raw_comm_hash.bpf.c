// raw_tp/sys_enter: hashes the current command name (FNV-1a, a bounded loop over a stack buffer)
// and counts system calls per hash in a hash map.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4096); __type(key, __u32); __type(value, __u64); } CallsByComm SEC(".maps");

SEC("raw_tp/sys_enter")
int OnSysEnter(struct bpf_raw_tracepoint_args *ctx)
{
    char comm[16];
    if (bpf_get_current_comm(comm, sizeof(comm)) != 0) return 0;
    __u32 hash = 2166136261u;
    for (int i = 0; i < sizeof(comm); i++) {
        if (comm[i] == 0) break;
        hash = (hash ^ (__u8)comm[i]) * 16777619u;
    }
    __u64 *count = bpf_map_lookup_elem(&CallsByComm, &hash);
    if (count) {
        __sync_fetch_and_add(count, 1);
    } else {
        __u64 one = 1;
        bpf_map_update_elem(&CallsByComm, &hash, &one, BPF_NOEXIST);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
