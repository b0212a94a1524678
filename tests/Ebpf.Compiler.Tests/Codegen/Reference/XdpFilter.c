// The C equivalent of samples/XdpFilter/XdpFilter.Probe.cs, written as a libbpf user would, compiled
// by clang -O2 -g -target bpf -mcpu=v3 as the instruction-count reference for the code generator
// (CodegenReferenceTests). The headers are packed like the C# structs (Pack = 1); TryRead is the
// usual bounds check followed by a copy.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct eth { __u64 dst_src0; __u32 src1; __u16 ether_type; } __attribute__((packed));
struct ip4 { __u8 version_ihl; __u8 tos; __u16 total_length; __u16 id; __u16 frag; __u8 ttl; __u8 protocol; __u16 checksum; __u32 src; __u32 dst; } __attribute__((packed));
struct udp { __u16 source; __u16 dest; __u16 length; __u16 checksum; } __attribute__((packed));

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u16); __type(value, __u8); } BlockedPorts SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } Stats SEC(".maps");

static __always_inline int classify(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct eth eth;
    struct ip4 ip;
    struct udp udp;
    if (data + sizeof(eth) > end) return XDP_PASS;
    __builtin_memcpy(&eth, data, sizeof(eth));
    if (bpf_ntohs(eth.ether_type) != 0x0800) return XDP_PASS;
    if (data + 14 + sizeof(ip) > end) return XDP_PASS;
    __builtin_memcpy(&ip, data + 14, sizeof(ip));
    if (ip.protocol != 17) return XDP_PASS;
    int ihl = (ip.version_ihl & 0x0f) * 4;
    if (ihl < 20) return XDP_PASS;
    void *u = data + 14 + ihl;
    if (u + sizeof(udp) > end) return XDP_PASS;
    __builtin_memcpy(&udp, u, sizeof(udp));
    __u16 port = bpf_ntohs(udp.dest);
    __u8 *blocked = bpf_map_lookup_elem(&BlockedPorts, &port);
    return blocked ? XDP_DROP : XDP_PASS;
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
