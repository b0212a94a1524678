// tc egress: remembers the last time each IPv4 destination was contacted and how many packets it
// got, in an LRU hash map with a struct value.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct peer { __u64 last_seen_ns; __u64 packets; __u32 last_length; __u32 last_protocol; };

struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 16384); __type(key, __u32); __type(value, struct peer); } Peers SEC(".maps");

SEC("tcx/egress")
int TrackPeers(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return TC_ACT_OK;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end) return TC_ACT_OK;
    __u32 dst = ip->daddr;
    __u64 now = bpf_ktime_get_ns();
    struct peer *p = bpf_map_lookup_elem(&Peers, &dst);
    if (p) {
        p->last_seen_ns = now;
        p->packets++;
        p->last_length = skb->len;
        p->last_protocol = ip->protocol;
    } else {
        struct peer fresh = { .last_seen_ns = now, .packets = 1, .last_length = skb->len, .last_protocol = ip->protocol };
        bpf_map_update_elem(&Peers, &dst, &fresh, BPF_ANY);
    }
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
