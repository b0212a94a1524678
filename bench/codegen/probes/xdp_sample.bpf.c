// Samples one packet in N (N in .rodata) with bpf_get_prandom_u32 and counts sampled packets and
// bytes per CPU (a per-CPU array of a struct).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sample_stats { __u64 seen; __u64 sampled; __u64 sampled_bytes; };

const volatile __u32 SampleEvery = 64;

struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct sample_stats); } Stats SEC(".maps");

SEC("xdp")
int Sample(struct xdp_md *ctx)
{
    __u32 zero = 0;
    struct sample_stats *stats = bpf_map_lookup_elem(&Stats, &zero);
    if (!stats) return XDP_PASS;
    stats->seen++;
    if (bpf_get_prandom_u32() % SampleEvery != 0) return XDP_PASS;
    stats->sampled++;
    stats->sampled_bytes += ctx->data_end - ctx->data;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
