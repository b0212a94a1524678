// Drops IPv4 packets whose header checksum is wrong: a bounded loop over the header's 16-bit words.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u64 BadChecksums = 0;

SEC("xdp")
int CheckIpv4(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    __u16 *words = (void *)(eth + 1);
    if ((void *)(words + 10) > end) return XDP_PASS;
    __u32 sum = 0;
    for (int i = 0; i < 10; i++) sum += words[i];
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    if ((__u16)~sum == 0) return XDP_PASS;
    __sync_fetch_and_add(&BadChecksums, 1);
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
