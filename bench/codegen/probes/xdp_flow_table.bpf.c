// Per-flow packet and byte counters keyed by the IPv4 5-tuple (a struct key and a struct value).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct flow_key { __u32 src; __u32 dst; __u16 sport; __u16 dport; __u32 proto; };
struct flow_stats { __u64 packets; __u64 bytes; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 65536); __type(key, struct flow_key); __type(value, struct flow_stats); } Flows SEC(".maps");

SEC("xdp")
int TrackFlows(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl < 5) return XDP_PASS;
    if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP) return XDP_PASS;
    struct udphdr *ports = (void *)ip + ip->ihl * 4;   /* TCP and UDP both start with the two ports */
    if ((void *)(ports + 1) > end) return XDP_PASS;
    struct flow_key key = {
        .src = ip->saddr, .dst = ip->daddr, .sport = ports->source, .dport = ports->dest, .proto = ip->protocol,
    };
    __u64 length = end - data;
    struct flow_stats *stats = bpf_map_lookup_elem(&Flows, &key);
    if (stats) {
        __sync_fetch_and_add(&stats->packets, 1);
        __sync_fetch_and_add(&stats->bytes, length);
    } else {
        struct flow_stats first = { .packets = 1, .bytes = length };
        bpf_map_update_elem(&Flows, &key, &first, BPF_ANY);
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
