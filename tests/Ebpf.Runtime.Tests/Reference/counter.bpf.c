// Reference object for the runtime: what clang + libbpf conventions produce, loaded by our loader.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

const volatile __u32 target_tgid = 0;   /* .rodata, set before load */
__u64 hits = 0;                         /* .bss */
__u64 scale = 3;                        /* .data */

static __attribute__((noinline)) __u64 add_scaled(__u64 x)
{
    return x + scale;
}

__attribute__((noinline)) int is_target(__u32 tgid)   /* global: verified on its own */
{
    return tgid == target_tgid;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (!is_target(tgid))
        return 0;
    __u64 *count = bpf_map_lookup_elem(&counts, &tgid);
    if (count) {
        __sync_fetch_and_add(count, 1);
    } else {
        __u64 one = 1;
        bpf_map_update_elem(&counts, &tgid, &one, BPF_NOEXIST);
    }
    hits = add_scaled(hits);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
