// tc ingress: sets skb->mark from the destination port of TCP/UDP over IPv4; the mark for
// each class and the port ranges are .rodata set before load.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u16 InteractiveMaxPort = 1024;
const volatile __u32 InteractiveMark = 1;
const volatile __u32 BulkMark = 2;

SEC("tcx/ingress")
int Classify(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return TC_ACT_OK;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl < 5) return TC_ACT_OK;
    if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP) return TC_ACT_OK;
    struct udphdr *ports = (void *)ip + ip->ihl * 4;
    if ((void *)(ports + 1) > end) return TC_ACT_OK;
    skb->mark = bpf_ntohs(ports->dest) <= InteractiveMaxPort ? InteractiveMark : BulkMark;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
