// tc egress: drops packets longer than a .rodata limit and counts drops per protocol in an array.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u32 MaxLength = 1500;

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } Drops SEC(".maps");

SEC("tcx/egress")
int Limit(struct __sk_buff *skb)
{
    if (skb->len <= MaxLength) return TC_ACT_OK;
    __u32 slot;
    switch (bpf_ntohs(skb->protocol)) {
    case 0x0800: slot = 1; break;
    case 0x86DD: slot = 2; break;
    case 0x0806: slot = 3; break;
    default: slot = 0; break;
    }
    __u64 *drops = bpf_map_lookup_elem(&Drops, &slot);
    if (drops) __sync_fetch_and_add(drops, 1);
    return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
