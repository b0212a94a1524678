// The runtime scenarios in C (clang-built in the test); Scenarios/ScenarioProbe.cs is the same in C#.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u64); } Counts SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } PerCpuHits SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4096); __type(key, __u32); __type(value, __u64); } Table SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 256); __type(key, __u32); __type(value, __u64); } PerCpuTable SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } XdpStats SEC(".maps");

const volatile __u32 TargetPid = 0;          /* .rodata: only this process is counted */
const volatile __u8 DropFirstByte = 0xff;    /* .rodata: XDP drops frames starting with this byte */

static void count(void)
{
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (pid != TargetPid) return;
    __u64 one = 1, *v = bpf_map_lookup_elem(&Counts, &pid);
    if (v) __sync_fetch_and_add(v, 1); else bpf_map_update_elem(&Counts, &pid, &one, BPF_NOEXIST);
    __u32 zero = 0;
    __u64 *hits = bpf_map_lookup_elem(&PerCpuHits, &zero);
    if (hits) *hits += 1;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int OnGetppid(void *ctx) { count(); return 0; }

SEC("uprobe")
int OnLibcGetppid(void *ctx) { count(); return 0; }

SEC("xdp")
int Filter(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    __u32 slot = 0;
    if (data + 1 <= end && *(__u8 *)data == DropFirstByte) slot = 1;
    __u64 *c = bpf_map_lookup_elem(&XdpStats, &slot);
    if (c) __sync_fetch_and_add(c, 1);
    return slot ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
