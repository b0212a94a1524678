// Drops IPv4 packets from sources in a small blocklist: a bounded loop over the slots of an array
// map (address 0 ends the list), counting hits per slot.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SLOTS 16

struct entry { __u32 address; __u32 hits; };

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, SLOTS); __type(key, __u32); __type(value, struct entry); } Blocklist SEC(".maps");

SEC("xdp")
int Block(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end) return XDP_PASS;
    __u32 source = ip->saddr;
    for (int i = 0; i < SLOTS; i++) {
        __u32 slot = i;
        struct entry *e = bpf_map_lookup_elem(&Blocklist, &slot);
        if (!e || e->address == 0) break;
        if (e->address == source) {
            __sync_fetch_and_add(&e->hits, 1);
            return XDP_DROP;
        }
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
