namespace Ebpf.Object.Tests.Support;

/// <summary>Reference C programs compiled by clang at test time.</summary>
public static class CPrograms
{
    /// <summary>A hash map, globals in .rodata/.data/.bss, a static variable, a static and a global
    /// sub-program, an XDP program and a tracepoint program.</summary>
    public const string MapsAndGlobals = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        struct val { __u64 packets; __u64 bytes; };
        struct {
          __uint(type, BPF_MAP_TYPE_HASH);
          __uint(max_entries, 1024);
          __type(key, __u32);
          __type(value, struct val);
        } counts SEC(".maps");
        struct {
          __uint(type, BPF_MAP_TYPE_ARRAY);
          __uint(max_entries, 4);
          __uint(key_size, 4);
          __uint(value_size, 8);
          __uint(map_flags, 0);
          __uint(pinning, 0);
        } sized SEC(".maps");
        const volatile __u64 grodata = 7;
        __u64 gdata = 3;
        __u64 gbss;
        static volatile __u32 s_counter = 5;
        static __attribute__((noinline)) __u64 add_static(__u64 a, __u64 b) { return a + b + s_counter; }
        __attribute__((noinline)) __u64 add_global(__u64 a, __u64 b) { return a * b; }
        SEC("xdp")
        int xdp_count(struct xdp_md *ctx) {
          __u32 k = 1;
          struct val *v = bpf_map_lookup_elem(&counts, &k);
          if (v) v->packets += grodata;
          gbss++;
          return add_static(gdata, 2) + add_global(1, 2) ? XDP_PASS : XDP_DROP;
        }
        SEC("tp/syscalls/sys_enter_getpid")
        int tp_getpid(void *ctx) { return add_static(1, 2) == 0; }
        char LICENSE[] SEC("license") = "GPL";
        """;
}
