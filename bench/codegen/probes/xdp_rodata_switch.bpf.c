// A policy chosen before load in .rodata (mode, port, verbose counting): the verifier sees the
// constants and prunes the modes that are off.
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum mode { MODE_PASS_ALL = 0, MODE_DROP_UDP = 1, MODE_DROP_PORT = 2, MODE_DROP_NON_IP = 3 };

const volatile __u32 Mode = MODE_DROP_PORT;
const volatile __u16 Port = 53;
const volatile bool CountSeen = true;

__u64 Seen = 0;

SEC("xdp")
int Policy(struct xdp_md *ctx)
{
    if (CountSeen) Seen++;
    if (Mode == MODE_PASS_ALL) return XDP_PASS;
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return XDP_PASS;
    if (eth->h_proto != bpf_htons(ETH_P_IP)) return Mode == MODE_DROP_NON_IP ? XDP_DROP : XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP) return XDP_PASS;
    if (Mode == MODE_DROP_UDP) return XDP_DROP;
    if (Mode != MODE_DROP_PORT) return XDP_PASS;
    struct udphdr *udp = (void *)(ip + 1);   /* options-free headers only */
    if ((void *)(udp + 1) > end) return XDP_PASS;
    return udp->dest == bpf_htons(Port) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
