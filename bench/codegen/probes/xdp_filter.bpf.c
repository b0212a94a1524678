// Drops UDP/IPv4 datagrams to blocked ports (hash map) and counts passed/dropped packets in an array.
// The C# side is samples/XdpFilter/XdpFilter.Probe.cs.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u16); __type(value, __u8); } BlockedPorts SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } Stats SEC(".maps");

static __always_inline int classify(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return XDP_PASS;
    if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end) return XDP_PASS;
    if (ip->protocol != IPPROTO_UDP) return XDP_PASS;
    if (ip->ihl < 5) return XDP_PASS;
    struct udphdr *udp = (void *)ip + ip->ihl * 4;
    if ((void *)(udp + 1) > end) return XDP_PASS;
    __u16 port = bpf_ntohs(udp->dest);
    return bpf_map_lookup_elem(&BlockedPorts, &port) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int Filter(struct xdp_md *ctx)
{
    int action = classify(ctx);
    __u32 slot = action == XDP_DROP ? 1 : 0;
    __u64 *counter = bpf_map_lookup_elem(&Stats, &slot);
    if (counter) __sync_fetch_and_add(counter, 1);
    return action;
}

char LICENSE[] SEC("license") = "GPL";
