// Seed for the object fuzz tests: BTF-defined maps (hash, array, per-CPU array), .rodata/.data/.bss globals,
// a static and a global sub-program, an XDP and a tracepoint program (map and data relocations, BTF, .BTF.ext).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct val { __u64 packets; __u64 bytes; };
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, struct val);
} counts SEC(".maps");
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u64);
} percpu SEC(".maps");
const volatile __u64 limit = 7;
__u64 seen = 3;
__u64 total;
static __attribute__((noinline)) __u64 add(__u64 a, __u64 b) { return a + b + limit; }
__attribute__((noinline)) __u64 scale(__u64 a) { return a * 3; }
SEC("xdp")
int xdp_count(struct xdp_md *ctx) {
  __u32 k = 1;
  struct val *v = bpf_map_lookup_elem(&counts, &k);
  if (v) { v->packets++; v->bytes += ctx->data_end - ctx->data; }
  __u64 *p = bpf_map_lookup_elem(&percpu, &k);
  if (p) *p += 1;
  total++;
  return add(seen, 2) + scale(total) > limit ? XDP_PASS : XDP_DROP;
}
SEC("tp/syscalls/sys_enter_getpid")
int on_getpid(void *ctx) {
  for (int i = 0; i < 8; i++) seen += i;
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
