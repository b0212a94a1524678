// Socket filter: keeps IPv4 TCP packets (whole) and drops everything else, reading the
// headers with bpf_skb_load_bytes as socket filters must.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int TcpOnly(struct __sk_buff *skb)
{
    __u16 proto;
    if (bpf_skb_load_bytes(skb, offsetof(struct ethhdr, h_proto), &proto, sizeof(proto)) < 0) return 0;
    if (proto != bpf_htons(ETH_P_IP)) return 0;
    __u8 ip_proto;
    if (bpf_skb_load_bytes(skb, ETH_HLEN + offsetof(struct iphdr, protocol), &ip_proto, sizeof(ip_proto)) < 0) return 0;
    return ip_proto == IPPROTO_TCP ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
